"use client";
/**
 * "3 min ago" that stays true while the page is open, with the exact time in the viewer's zone on hover. The
 * server and the first client render print the UTC time (they cannot agree on "now" or the time zone); the
 * relative text and the local time take over after hydration.
 */
import { useSyncExternalStore } from "react";

const TICK_MS = 15_000;

function subscribe(onTick: () => void): () => void {
  const timer = setInterval(onTick, TICK_MS);
  return () => clearInterval(timer);
}
// Rounded so that every read between two ticks returns the same value, as useSyncExternalStore requires.
const readNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;
const readServerNow = () => null;

export function formatAgo(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function RelativeTime({ at }: { at: number }) {
  const now = useSyncExternalStore(subscribe, readNow, readServerNow);
  const iso = new Date(at).toISOString();
  const text = now === null ? `${iso.slice(11, 16)} UTC` : formatAgo(at, now);
  const exact = now === null ? `${iso.replace("T", " ").slice(0, 19)} UTC` : new Date(at).toLocaleString([], { dateStyle: "medium", timeStyle: "long" });
  return (
    <time dateTime={iso} title={exact}>
      {text}
    </time>
  );
}
