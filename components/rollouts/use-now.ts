"use client";
/** The current time, ticking every few seconds after hydration; null on the server and the first render. */
import { useSyncExternalStore } from "react";

const TICK_MS = 5_000;

function subscribe(onTick: () => void): () => void {
  const timer = setInterval(onTick, TICK_MS);
  return () => clearInterval(timer);
}
// Rounded so reads between two ticks agree, as useSyncExternalStore requires.
const readNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;
const readServerNow = () => null;

export function useNow(): number | null {
  return useSyncExternalStore(subscribe, readNow, readServerNow);
}
