/**
 * What the load benchmark watches from outside the server process: its memory over time (RSS from /proc, the JS
 * heap and event-loop delay from its own /api/metrics), and the engine's decision lag, read from the database.
 *
 * Decision lag: a region rollout's `last_sample_at` is the end of the window its last pass measured, which is
 * when that pass fell due (the machine asks for a window once its end is past); `updated_at` is when that pass
 * saved its verdict. So each time a row shows a new `last_sample_at`, `updated_at − last_sample_at` is how long
 * after it fell due the engine decided and recorded it. Read every 100 ms on a read connection of the SQLite
 * file (WAL: it never blocks the server's writer); a row that sampled twice between two reads gives one figure.
 */
import type { SqliteStore } from "@/db/client";
import { treeRssBytes } from "./flightdeck";
import type { MemorySample } from "./stats";

export type MemoryTrace = { rss: MemorySample[]; heap: MemorySample[]; loopDelayP99Ms: number[]; scrapeFailures: number };

/** Gauges of the Prometheus text format, by name (first series of each). */
export function gauges(text: string, names: string[]): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const name of names) {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([-+\\d.eE]+|NaN)$`, "m").exec(text);
    out[name] = m ? Number(m[1]) : undefined;
  }
  return out;
}

/** Samples memory every `everyMs` until `signal` aborts. */
export function watchMemory(base: string, pid: number, everyMs: number, signal: AbortSignal): { trace: MemoryTrace; done: Promise<void> } {
  const trace: MemoryTrace = { rss: [], heap: [], loopDelayP99Ms: [], scrapeFailures: 0 };
  const sampleOnce = async () => {
    const at = Date.now();
    trace.rss.push({ at, bytes: treeRssBytes(pid) });
    try {
      const text = await (await fetch(`${base}/api/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      const g = gauges(text, ["nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_p99_seconds"]);
      if (g.nodejs_heap_size_used_bytes !== undefined) trace.heap.push({ at, bytes: g.nodejs_heap_size_used_bytes });
      if (g.nodejs_eventloop_lag_p99_seconds !== undefined) trace.loopDelayP99Ms.push(g.nodejs_eventloop_lag_p99_seconds * 1000);
    } catch {
      trace.scrapeFailures++;
    }
  };
  const done = (async () => {
    while (!signal.aborted) {
      await sampleOnce();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { trace, done };
}

export type LagTrace = { lags: Array<{ at: number; lagMs: number }> };

/** Reads the region rollouts every `everyMs` until `signal` aborts; `skip` names region rollouts left out (the marker's). */
export function watchDecisionLag(db: SqliteStore, everyMs: number, signal: AbortSignal, skip: Set<string>): { trace: LagTrace; done: Promise<void> } {
  const trace: LagTrace = { lags: [] };
  const lastSeen = new Map<string, number>();
  const read = db.$client.prepare(
    "select id, last_sample_at as sampledAt, updated_at as savedAt from region_rollouts where phase = 'canary' and last_sample_at is not null",
  );
  const done = (async () => {
    while (!signal.aborted) {
      const now = Date.now();
      for (const row of read.all() as Array<{ id: string; sampledAt: number; savedAt: number }>) {
        if (skip.has(row.id)) continue;
        const before = lastSeen.get(row.id);
        lastSeen.set(row.id, row.sampledAt);
        if (before !== undefined && row.sampledAt > before) trace.lags.push({ at: now, lagMs: row.savedAt - row.sampledAt });
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { trace, done };
}
