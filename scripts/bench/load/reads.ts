/**
 * API reads at a fixed rate, open loop: request k is due at start + k / rate whether or not the earlier ones have
 * answered, and its latency runs from when it was due, so a slow server cannot hide its queue by slowing the
 * client (no coordinated omission). The reads take turns: REST with a read token (the rollout list, one rollout)
 * and the dashboard's tRPC queries with the session cookie (the rollout page's batch of four, as its client
 * sends them in one GET, and the regions overview). At most `maxInFlight` wait at once; a read due beyond that is
 * counted as shed, not sent.
 */
import { describeError } from "./feeds";

const READ_TIMEOUT_MS = 30_000;

export type ReadKind = "rest rollouts" | "rest rollout" | "trpc rollout page" | "trpc overview";
export const READ_KINDS: ReadKind[] = ["rest rollouts", "rest rollout", "trpc rollout page", "trpc overview"];

export type ReadStats = { latenciesMs: Record<ReadKind, number[]>; failures: Record<string, number>; shed: number; sent: number };

const trpcBatch = (calls: Array<[string, unknown]>) =>
  `/api/trpc/${calls.map(([p]) => p).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(calls.map(([, input], i) => [i, { json: input }]))))}`;

function request(kind: ReadKind, rolloutId: string, auth: { token: string; cookie: string }): { path: string; headers: Record<string, string> } {
  const bearer = { authorization: `Bearer ${auth.token}` };
  const cookie = { cookie: auth.cookie };
  switch (kind) {
    case "rest rollouts":
      return { path: "/api/v1/rollouts", headers: bearer };
    case "rest rollout":
      return { path: `/api/v1/rollouts/${rolloutId}`, headers: bearer };
    case "trpc rollout page":
      return {
        path: trpcBatch([
          ["rollouts.get", { id: rolloutId }],
          ["rollouts.samples", { id: rolloutId }],
          ["rollouts.events", { id: rolloutId }],
          ["notifications.forRollout", { rolloutId }],
        ]),
        headers: cookie,
      };
    case "trpc overview":
      return { path: trpcBatch([["regions.overview", undefined]]), headers: cookie };
  }
}

/** Sends reads at `perSecond` from now until `until` (ms epoch) or `signal` aborts; resolves when the last has answered. */
export async function readAtRate(
  base: string,
  o: { perSecond: number; until: number; rolloutIds: string[]; token: string; cookie: string; maxInFlight: number; signal: AbortSignal },
): Promise<ReadStats> {
  const stats: ReadStats = {
    latenciesMs: Object.fromEntries(READ_KINDS.map((k) => [k, []])) as unknown as Record<ReadKind, number[]>,
    failures: {},
    shed: 0,
    sent: 0,
  };
  const fail = (what: string) => (stats.failures[what] = (stats.failures[what] ?? 0) + 1);
  const pending = new Set<Promise<void>>();
  const start = Date.now();
  for (let k = 0; !o.signal.aborted; k++) {
    const due = start + (k * 1000) / o.perSecond;
    if (due >= o.until) break;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    if (pending.size >= o.maxInFlight) {
      stats.shed++;
      continue;
    }
    const kind = READ_KINDS[k % READ_KINDS.length];
    const { path, headers } = request(kind, o.rolloutIds[k % o.rolloutIds.length], o);
    stats.sent++;
    // A timer of its own: a timeout signal composed with AbortSignal.any may be collected before it fires (Node 20).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${READ_TIMEOUT_MS / 1000} s`)), READ_TIMEOUT_MS);
    const onStop = () => abort.abort();
    o.signal.addEventListener("abort", onStop, { once: true });
    const read = fetch(`${base}${path}`, { headers, signal: abort.signal })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 200) stats.latenciesMs[kind].push(Date.now() - due);
        else fail(`${kind}: HTTP ${res.status}`);
      })
      .catch((err: unknown) => {
        if (!o.signal.aborted) fail(`${kind}: ${abort.signal.aborted ? String(abort.signal.reason) : describeError(err)}`);
      })
      .finally(() => {
        clearTimeout(timer);
        o.signal.removeEventListener("abort", onStop);
        pending.delete(read);
      });
    pending.add(read);
  }
  await Promise.all(pending);
  return stats;
}
