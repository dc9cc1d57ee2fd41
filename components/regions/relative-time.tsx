"use client";
/**
 * "3 min ago · 14:02:11" that stays true while the page is open, with the full date in the viewer's zone on hover.
 * The server and the first client render print the UTC time (they cannot agree on "now" or the time zone); the
 * relative text and the local time take over after hydration.
 */
import { useSyncExternalStore } from "react";
import { formatAgo, formatClock, formatTimestamp } from "@/lib/format";

const TICK_MS = 15_000;

function subscribe(onTick: () => void): () => void {
  const timer = setInterval(onTick, TICK_MS);
  return () => clearInterval(timer);
}
// Rounded so that every read between two ticks returns the same value, as useSyncExternalStore requires.
const readNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;
const readServerNow = () => null;

/** "3 min ago · 14:02:11": the relative time with the absolute one beside it (UTC until hydrated, then the viewer's zone); the full date on hover. */
export function RelativeTime({ at }: { at: number }) {
  const now = useSyncExternalStore(subscribe, readNow, readServerNow);
  const iso = new Date(at).toISOString();
  const text = now === null ? `${formatClock(at, "UTC")} UTC` : `${formatAgo(at, now)} · ${formatClock(at)}`;
  const exact = now === null ? formatTimestamp(at, "UTC") : new Date(at).toLocaleString([], { dateStyle: "medium", timeStyle: "long" });
  return (
    <time dateTime={iso} title={exact}>
      {text}
    </time>
  );
}
