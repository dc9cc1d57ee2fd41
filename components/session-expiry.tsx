"use client";
/**
 * An ended session, noticed in the browser: when any query or mutation is answered UNAUTHORIZED (the session
 * expired, was revoked, or its user disabled) the header shows a sign-in link that returns here, and the Live
 * dots turn grey. Server-rendered pages redirect on their own; this covers a page left open.
 */
import { useQueryClient } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import { useCallback, useSyncExternalStore } from "react";

/** tRPC's client error carries the server's code in `data.code`. */
export function isUnauthorized(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { data?: { code?: unknown } | null }).data?.code === "UNAUTHORIZED";
}

/** Whether a query or mutation of this page has been told the session is gone. */
export function useSessionEnded(): boolean {
  const queryClient = useQueryClient();
  const subscribe = useCallback(
    (notify: () => void) => {
      const fromQueries = queryClient.getQueryCache().subscribe(notify);
      const fromMutations = queryClient.getMutationCache().subscribe(notify);
      return () => {
        fromQueries();
        fromMutations();
      };
    },
    [queryClient],
  );
  const read = useCallback(
    () =>
      queryClient
        .getQueryCache()
        .getAll()
        .some((q) => isUnauthorized(q.state.error)) ||
      queryClient
        .getMutationCache()
        .getAll()
        .some((m) => isUnauthorized(m.state.error)),
    [queryClient],
  );
  return useSyncExternalStore(subscribe, read, () => false);
}

/** The sign-in page, told why, coming back to this page afterwards. */
export function signInAgainHref(pathname: string): string {
  const params = new URLSearchParams({ reason: "expired" });
  if (pathname !== "/") params.set("callbackUrl", pathname);
  return `/signin?${params.toString()}`;
}

export function SessionEndedNotice() {
  const ended = useSessionEnded();
  const pathname = usePathname();
  if (!ended) return null;
  return (
    <div role="alert" data-testid="session-ended" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-950 sm:px-6">
      <p className="mx-auto max-w-7xl">
        Your session has ended, so this page no longer updates.{" "}
        <a
          href={signInAgainHref(pathname)}
          className="rounded font-medium underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-700"
        >
          Sign in again
        </a>{" "}
        to carry on here.
      </p>
    </div>
  );
}
