import "server-only";
/**
 * tRPC for server components: `api` calls procedures directly (no HTTP), and `trpc` + `prefetch` +
 * `HydrateClient` fill the request's QueryClient so client components start with the data, no loading flash.
 */
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy, type TRPCQueryOptions } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, createElement, type ReactNode } from "react";
import { createQueryClient } from "@/components/trpc/query-client";
import { appRouter, createCaller, type AppRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";

/** One context per request, however many procedures a page calls. */
const createContext = cache(async () => {
  const heads = new Headers(await headers());
  heads.set("x-trpc-source", "rsc");
  return createTRPCContext({ headers: heads });
});

/** One QueryClient per request: what the page prefetched is what it hydrates. */
export const getQueryClient = cache(createQueryClient);

export const api = createCaller(createContext);

export const trpc = createTRPCOptionsProxy<AppRouter>({ router: appRouter, ctx: createContext, queryClient: getQueryClient });

/** Prefetch a query into the request's QueryClient; await it to have the data in the first HTML. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any query of any router, as in the tRPC docs
export async function prefetch<T extends ReturnType<TRPCQueryOptions<any>>>(queryOptions: T): Promise<void> {
  await getQueryClient().prefetchQuery(queryOptions);
}

export function HydrateClient({ children }: { children: ReactNode }) {
  return createElement(HydrationBoundary, { state: dehydrate(getQueryClient()) }, children);
}
