/**
 * The chaos suite's checks of one rollout, each against what the servers themselves saw: the balancer's weights
 * now and every change it received, the hosts' install log, the card receiver's posts. The engine's records
 * say which cards and steps exist and which split it verified; each is compared with the world.
 */
import type { SqliteStore } from "@/db/client";
import type { WeightMove } from "@/lab/chaos/balancer-taps";
import type { CardPost } from "@/lab/chaos/card-receiver";
import type { Install } from "@/lab/chaos/install-log";
import type { LabColour } from "@/lab/layout";

export const PLAN = [10, 25, 50, 75, 100];
/** The suite's two Slack channels (both post to the card receiver); the outbox's other rows feed Pushgateway and Grafana. */
export const CARD_CHANNELS = ["deployments", "incidents"];

export type RegionWorld = {
  region: string;
  liveBefore: LabColour;
  weightsNow: Record<LabColour, number>;
  /** Changes the balancer received during the run, in order. */
  moves: WeightMove[];
  installs: Install[];
};

export type RunFacts = {
  db: SqliteStore;
  rolloutId: string;
  expectSuccess: boolean;
  version: string;
  regions: RegionWorld[];
  posts: CardPost[];
  postsOf: (key: string) => string[];
};

export async function checkRun(f: RunFacts): Promise<string[]> {
  const problems: string[] = [];
  const verified = new Map(
    (
      f.db.$client.prepare("SELECT region_id AS region, green_pct AS greenPct FROM region_states WHERE service_id = 'api'").all() as Array<{
        region: string;
        greenPct: number;
      }>
    ).map((r) => [r.region, r.greenPct]),
  );
  for (const w of f.regions) problems.push(...checkRegion(w, f, verified.get(w.region)).map((p) => `${w.region}: ${p}`));
  problems.push(...(await checkCards(f)));
  problems.push(...(await checkEvents(f)));
  return problems;
}

/** Where the region ends, how its weights moved, how often the new colour was installed. */
export function checkRegion(w: RegionWorld, f: Pick<RunFacts, "expectSuccess" | "version">, verifiedGreenPct: number | undefined): string[] {
  const problems: string[] = [];
  const to = w.liveBefore === "blue" ? "green" : "blue";
  const want = f.expectSuccess ? { [to]: 100, [w.liveBefore]: 0 } : { [to]: 0, [w.liveBefore]: 100 };
  if (w.weightsNow[to] !== want[to] || w.weightsNow[w.liveBefore] !== want[w.liveBefore])
    problems.push(
      `ends at ${JSON.stringify(w.weightsNow)} on the balancer, expected ${JSON.stringify(want)} (${f.expectSuccess ? "green live" : "rolled back"})`,
    );
  if (verifiedGreenPct !== w.weightsNow.green) problems.push(`the balancer holds green ${w.weightsNow.green} %, the verified split says ${verifiedGreenPct} %`);

  // The new colour's weights follow the plan, and each split was complete (the colours' weights summing to 100)
  // before the next change began.
  const history = heldSplits(w.moves, w.liveBefore);
  problems.push(...history.problems);
  const seen = history.newColour(to);
  const problem = planOrderProblem(seen, f.expectSuccess);
  if (problem) problems.push(`${to}'s weights went ${seen.join(", ")}: ${problem}`);

  const installs = w.installs.map((i) => `${i.colour} ${i.version}`);
  if (installs.length !== 1 || installs[0] !== `${to} ${f.version}`) problems.push(`the hosts installed [${installs.join("; ")}], expected once on ${to}`);
  return problems;
}

/**
 * The balancer's weights after each move, replayed from its start-of-run state. HAProxy takes one `set weight`
 * per server, each its own request, so a change passes through a half-set split, and a worker killed between the
 * two leaves one that the step's retry completes. A split must be complete (the weights summing to 100) before a
 * colour's weight changes again, and at the end. A command setting a weight the balancer already holds moves nothing.
 */
export function heldSplits(moves: WeightMove[], liveBefore: LabColour) {
  const problems: string[] = [];
  let held: Record<LabColour, number> = liveBefore === "blue" ? { blue: 100, green: 0 } : { blue: 0, green: 100 };
  const steps: Array<{ by: WeightMove["by"]; held: Record<LabColour, number> }> = [];
  const complete = (when: string) => {
    if (held.blue + held.green !== 100) problems.push(`the balancer held ${JSON.stringify(held)} ${when}, not a split of 100`);
  };
  let lastChanged: LabColour | "both" | null = null;
  for (const m of moves) {
    const changed = (["blue", "green"] as const).filter((c) => m.weights[c] !== undefined && m.weights[c] !== held[c]);
    if (m.by === "flightdeck" && changed.length === 0) continue;
    const now = m.by === "restart" ? null : changed.length === 2 ? "both" : changed[0];
    if (now !== null && lastChanged !== null && (now === "both" || now === lastChanged || lastChanged === "both"))
      complete("when a colour's weight changed again");
    lastChanged = now;
    held = { ...held, ...m.weights };
    steps.push({ by: m.by, held });
  }
  complete("at the end");
  return {
    problems,
    /**
     * The new colour's weight after each move that changed it, `restart` where the balancer restarted (then the
     * next change of the new colour is the one that put its split back).
     */
    newColour: (to: LabColour): Array<number | "restart"> => {
      const out: Array<number | "restart"> = [];
      let last = to === liveBefore ? 100 : 0;
      for (const s of steps) {
        if (s.by === "restart") out.push("restart");
        else if (s.held[to] !== last) out.push(s.held[to]);
        last = s.held[to];
      }
      return out;
    },
  };
}

/**
 * Null when the weights moved in plan order: up the plan one stage at a time (to 100 % on success; on a rollback
 * a prefix of it, then 0). The one other move: right after the balancer restarted (its config's weights back),
 * the last verified weight put back: the last one sent, or the one before it when the last was still in flight
 * at the kill (then that stage's change comes again).
 */
export function planOrderProblem(seen: Array<number | "restart">, success: boolean): string | null {
  let own: number[] = [];
  for (let i = 0; i < seen.length; i++) {
    const v = seen[i];
    if (v === "restart") continue;
    if (i > 0 && seen[i - 1] === "restart") {
      const at = own.lastIndexOf(v);
      if (at < own.length - 2 || at < 0)
        return `after the balancer's restart the first change was to ${v}, not the last verified ${own.slice(-2).join(" or ")}`;
      own = own.slice(0, at + 1);
      continue;
    }
    own.push(v);
  }
  if (success) return own.join() === PLAN.join() ? null : `expected ${PLAN.join(", ")}`;
  const up = own.slice(0, -1);
  if (own.at(-1) !== 0 || up.length === 0 || up.join() !== PLAN.slice(0, up.length).join()) return "expected a prefix of the plan, then 0";
  return null;
}

/** Every card of the rollout arrived: once, or again only marked as a possible repeat; nothing else arrived. */
async function checkCards(f: RunFacts): Promise<string[]> {
  const problems: string[] = [];
  // A "grouped" row is folded into an earlier card of its group (server/engine/outbox/enqueue.ts): never posted.
  const rows = (await f.db.outbox.listForRollout(f.rolloutId)).map((r) => r.row).filter((r) => CARD_CHANNELS.includes(r.channelId) && r.status !== "grouped");
  const keys = new Set(rows.map((r) => `flightdeck-outbox-${r.id}`));
  for (const row of rows) {
    const key = `flightdeck-outbox-${row.id}`;
    const seen = f.postsOf(key);
    if (row.status !== "sent") problems.push(`card ${key} (${row.kind}) is ${row.status}`);
    if (seen.length === 0) problems.push(`card ${key} (${row.kind}) never arrived`);
    else if (seen.slice(1).includes("first"))
      problems.push(`card ${key} (${row.kind}) arrived ${seen.join(", ")}: a second copy not marked as a possible repeat`);
  }
  // A post of no card of this rollout: without a key, or a first copy of a card of none (an earlier rollout's came first).
  for (const p of f.posts.filter((p) => p.key === null || (!keys.has(p.key) && !p.repeat)))
    problems.push(`a post of no card of this rollout arrived (key ${p.key ?? "none"}, ${new Date(p.at).toISOString()})`);
  return problems;
}

/**
 * The event log: no event twice (samples aside, one per window), and per region the events and step keys the
 * plan makes: one deploy, each stage started and passed once (or the rollback), each step done.
 */
async function checkEvents(f: RunFacts): Promise<string[]> {
  const problems: string[] = [];
  const events = (await f.db.events.listForRollout(f.rolloutId)).filter((e) => !e.type.startsWith("analysis."));
  const lines = events.map((e) => `${e.regionId ?? ""} ${e.type} ${JSON.stringify(e.data)}`);
  const twice = lines.filter((l, i) => lines.indexOf(l) !== i);
  if (twice.length) problems.push(`events recorded twice: ${twice.map((l) => l.slice(0, 160)).join("; ")}`);
  const count = (region: string, type: string) => events.filter((e) => e.regionId === region && e.type === type).length;
  const regionRows = await f.db.regionRollouts.listForRollout(f.rolloutId);
  const steps = await f.db.steps.listForRegionRollouts(regionRows.map((r) => r.id));
  for (const rr of regionRows) {
    const want: Record<string, number> = f.expectSuccess
      ? { "deploy.succeeded": 1, "stage.started": 5, "stage.passed": 5, "region.succeeded": 1, "region.rolled_back": 0 }
      : { "deploy.succeeded": 1, "region.rolled_back": 1, "region.succeeded": 0 };
    for (const [type, n] of Object.entries(want))
      if (count(rr.regionId, type) !== n) problems.push(`${rr.regionId}: ${count(rr.regionId, type)} × ${type} in the event log, expected ${n}`);
    const keys = steps.filter((s) => s.regionRolloutId === rr.id).map((s) => `${s.key.slice(rr.id.length + 1)} ${s.status}`);
    const plan = f.expectSuccess ? ["a1/deploy", ...PLAN.map((p, i) => `a1/stage-${i}/weight-${p}`)] : ["a1/deploy"];
    const missing = plan.filter((k) => !keys.includes(`${k} done`));
    if (missing.length) problems.push(`${rr.regionId}: steps not done: ${missing.join(", ")} (steps: ${keys.join(", ")})`);
    if (!f.expectSuccess && !keys.some((k) => /rollback done$/.test(k))) problems.push(`${rr.regionId}: no rollback step done (steps: ${keys.join(", ")})`);
  }
  return problems;
}
