"use client";
/**
 * Whether the page is receiving live updates. Fixed width, so a reconnect does not move the heading. When the
 * session has ended (the feed or any other call was answered UNAUTHORIZED) the dot turns grey and a sign-in
 * link takes the place of the words: the feed will not resume by itself.
 */
import { usePathname } from "next/navigation";
import { isUnauthorized, signInAgainHref, useSessionEnded } from "@/components/session-expiry";

type Status = "idle" | "connecting" | "pending" | "error";

const LABELS: Record<Status, { text: string; dot: string }> = {
  pending: { text: "Live", dot: "bg-emerald-500" },
  connecting: { text: "Connecting…", dot: "bg-amber-400" },
  idle: { text: "Connecting…", dot: "bg-amber-400" },
  error: { text: "Reconnecting…", dot: "bg-red-500" },
};

export function LiveStatus({ status, error }: { status: Status; error?: unknown }) {
  const sessionEnded = useSessionEnded();
  const pathname = usePathname();
  if (sessionEnded || isUnauthorized(error)) {
    return (
      <span
        role="status"
        data-testid="live-status"
        data-live="signed-out"
        className="inline-flex w-32 items-center justify-end gap-2 text-xs font-medium text-slate-600"
      >
        <span aria-hidden="true" className="relative inline-flex size-2 rounded-full bg-slate-400" />
        <a href={signInAgainHref(pathname)} className="rounded underline focus-visible:outline-2 focus-visible:outline-sky-700">
          Not live: sign in
        </a>
      </span>
    );
  }
  const label = LABELS[status];
  return (
    <span
      role="status"
      data-testid="live-status"
      data-live={status}
      className="inline-flex w-32 items-center justify-end gap-2 text-xs font-medium text-slate-600"
    >
      <span aria-hidden="true" className="relative flex size-2">
        {status === "pending" ? (
          <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60 motion-reduce:animate-none" />
        ) : null}
        <span className={`relative inline-flex size-2 rounded-full ${label.dot}`} />
      </span>
      {label.text}
    </span>
  );
}
