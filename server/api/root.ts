import { adminRouter } from "./routers/admin";
import { regionsRouter } from "./routers/regions";
import { tokensRouter } from "./routers/tokens";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The API: a short list of routers. */
export const appRouter = createTRPCRouter({
  regions: regionsRouter,
  admin: adminRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
