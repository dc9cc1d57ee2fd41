import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The API: a short list of routers. */
export const appRouter = createTRPCRouter({});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
