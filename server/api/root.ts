import { adminRouter } from "./routers/admin";
import { regionsRouter } from "./routers/regions";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The API: a short list of routers. */
export const appRouter = createTRPCRouter({
  regions: regionsRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
