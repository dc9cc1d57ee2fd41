import { adminRouter } from "./routers/admin";
import { approvalsRouter } from "./routers/approvals";
import { auditRouter } from "./routers/audit";
import { backtestRouter } from "./routers/backtest";
import { notificationsRouter } from "./routers/notifications";
import { demoRouter } from "./routers/demo";
import { freezeRouter } from "./routers/freeze";
import { incidentsRouter } from "./routers/incidents";
import { quarantineRouter } from "./routers/quarantine";
import { regionPagesRouter } from "./routers/region-pages";
import { regionsRouter } from "./routers/regions";
import { rolloutsRouter } from "./routers/rollouts";
import { servicesRouter } from "./routers/services";
import { settingsRouter } from "./routers/settings";
import { tokensRouter } from "./routers/tokens";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The API: a short list of routers. */
export const appRouter = createTRPCRouter({
  regions: regionsRouter,
  rollouts: rolloutsRouter,
  services: servicesRouter,
  admin: adminRouter,
  tokens: tokensRouter,
  approvals: approvalsRouter,
  regionPages: regionPagesRouter,
  audit: auditRouter,
  settings: settingsRouter,
  notifications: notificationsRouter,
  demo: demoRouter,
  freeze: freezeRouter,
  quarantine: quarantineRouter,
  incidents: incidentsRouter,
  backtest: backtestRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
