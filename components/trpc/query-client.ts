/**
 * One QueryClient configuration for the server (prefetch, dehydrate) and the browser (hydrate).
 * superjson on both sides so what the server caller returns arrives with its types intact.
 */
import { defaultShouldDehydrateQuery, QueryClient } from "@tanstack/react-query";
import superjson from "superjson";

/** 4xx answers (signed out, forbidden, bad input) will not change on a retry; 5xx and network errors may. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  const status = (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
  if (status !== undefined && status >= 400 && status < 500) return false;
  return failureCount < 3;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Data prefetched on the server is fresh on arrival; live updates invalidate it, not a timer.
        staleTime: 30_000,
        retry: shouldRetry,
      },
      dehydrate: {
        serializeData: superjson.serialize,
        // Pending queries are streamed too, so a page can prefetch without awaiting.
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
