"use client";
/**
 * The browser's one QueryClient and tRPC client. Subscriptions go over SSE (httpSubscriptionLink, which resumes
 * with the last event id after a dropped connection); everything else is batched and streamed.
 */
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchStreamLink, httpSubscriptionLink, loggerLink, splitLink } from "@trpc/client";
import { useState } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import { TRPCProvider } from "./client";
import { createQueryClient } from "./query-client";

let browserQueryClient: QueryClient | undefined;

/** On the server, a new client per request (no data shared between users); in the browser, one for the page's life. */
function getQueryClient(): QueryClient {
  if (typeof window === "undefined") return createQueryClient();
  browserQueryClient ??= createQueryClient();
  return browserQueryClient;
}

function getBaseUrl(): string {
  if (typeof window !== "undefined") return window.location.origin;
  return `http://localhost:${process.env.PORT ?? 3000}`;
}

function createClient() {
  const url = `${getBaseUrl()}/api/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      loggerLink({
        enabled: (op) => process.env.NODE_ENV === "development" || (op.direction === "down" && op.result instanceof Error),
      }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, transformer: superjson }),
        false: httpBatchStreamLink({
          url,
          transformer: superjson,
          headers: () => ({ "x-trpc-source": "nextjs-react" }),
        }),
      }),
    ],
  });
}

export function TRPCReactProvider({ children }: { children: React.ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(createClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
