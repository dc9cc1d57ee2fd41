/**
 * The process's Prometheus registry, served at GET /api/metrics. Kept on globalThis because a hot reload
 * re-evaluates this module, and prom-client refuses to register the default metrics twice.
 *
 * Flightdeck's own series: rollouts by status and region rollouts by phase (read from the database at scrape
 * time, so they are right whichever process ran the engine), and counters the engine increments: stage
 * transitions, rollbacks, analysis verdicts, provider call durations and errors, notification deliveries;
 * and refused CI webhook deliveries by reason.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { getDb, type Store } from "@/db/client";
import { rollbackTrigger, type EventDraft } from "@/server/engine/machine/events";

export type EngineMetrics = {
  stageTransitions: Counter<"region" | "transition">;
  rollbacks: Counter<"region" | "trigger">;
  verdicts: Counter<"region" | "verdict">;
  providerCallSeconds: Histogram<"provider" | "operation">;
  providerErrors: Counter<"provider" | "operation">;
  deliveries: Counter<"channel" | "result">;
};

type MetricsState = { registry: Registry; engine: EngineMetrics; webhookRefused: Counter<"reason">; db: Store | null };
const globalForMetrics = globalThis as unknown as { flightdeckMetricsState?: MetricsState };

function createState(): MetricsState {
  const registry = new Registry();
  registry.setDefaultLabels({ app: "flightdeck" });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const state: MetricsState = {
    registry,
    db: null,
    webhookRefused: new Counter({
      name: "flightdeck_webhook_refused_total",
      help: "CI webhook deliveries refused, by reason (counted and logged, never stored: a flood cannot fill the disk).",
      labelNames: ["reason"],
      registers,
    }),
    engine: {
      stageTransitions: new Counter({
        name: "flightdeck_stage_transitions_total",
        help: "Canary stages started and passed.",
        labelNames: ["region", "transition"],
        registers,
      }),
      rollbacks: new Counter({
        name: "flightdeck_rollbacks_total",
        help: "Regions rolled back, by what triggered it (breach, manual during the canary, or emergency after success).",
        labelNames: ["region", "trigger"],
        registers,
      }),
      verdicts: new Counter({
        name: "flightdeck_analysis_verdicts_total",
        help: "Canary samples judged, by verdict.",
        labelNames: ["region", "verdict"],
        registers,
      }),
      providerCallSeconds: new Histogram({
        name: "flightdeck_provider_call_duration_seconds",
        help: "Time a provider call took (deploy, setWeight, getWeight, measure), failed or not.",
        labelNames: ["provider", "operation"],
        buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30, 120],
        registers,
      }),
      providerErrors: new Counter({
        name: "flightdeck_provider_errors_total",
        help: "Provider calls that failed.",
        labelNames: ["provider", "operation"],
        registers,
      }),
      deliveries: new Counter({
        name: "flightdeck_notification_deliveries_total",
        help: "Outbox delivery attempts (cards, Pushgateway, Grafana), by result: sent, retry, failed.",
        labelNames: ["channel", "result"],
        registers,
      }),
    },
  };
  new Gauge({
    name: "flightdeck_rollouts",
    help: "Rollouts by status, read from the database at scrape time.",
    labelNames: ["status"],
    registers,
    async collect() {
      const rows = await readCounts(state, (db) => db.rollouts.countByStatus());
      this.reset();
      for (const r of rows) this.set({ status: r.key }, r.n);
    },
  });
  new Gauge({
    name: "flightdeck_region_rollouts",
    help: "Region rollouts by phase, read from the database at scrape time.",
    labelNames: ["phase"],
    registers,
    async collect() {
      const rows = await readCounts(state, (db) => db.regionRollouts.countByPhase());
      this.reset();
      for (const r of rows) this.set({ phase: r.key }, r.n);
    },
  });
  return state;
}

/**
 * Counts from the database set by countRolloutsIn, else the process's own. A database that cannot be read
 * leaves the gauge empty rather than failing the whole scrape.
 */
async function readCounts(state: MetricsState, query: (db: Store) => Promise<Array<{ key: string; n: number }>>): Promise<Array<{ key: string; n: number }>> {
  try {
    state.db ??= getDb();
    return await query(state.db);
  } catch {
    return [];
  }
}

function metricsState(): MetricsState {
  globalForMetrics.flightdeckMetricsState ??= createState();
  return globalForMetrics.flightdeckMetricsState;
}

export function getMetricsRegistry(): Registry {
  return metricsState().registry;
}

export function engineMetrics(): EngineMetrics {
  return metricsState().engine;
}

/** The database the rollout gauges are read from at scrape time (default: the process's, from getDb; tests set their own). */
export function countRolloutsIn(db: Store): void {
  metricsState().db = db;
}

/** Why a CI webhook delivery was refused, from its HTTP status: a short fixed set, so the label stays small. */
export const WEBHOOK_REFUSAL_REASONS: Record<number, string> = {
  400: "bad_request",
  401: "bad_signature",
  403: "ref_not_allowed",
  409: "replayed_delivery",
  413: "body_too_large",
  422: "unknown_name",
  429: "rate_limited",
  503: "not_configured",
};

/** Counts a refused CI webhook delivery; the reason for its status (`other` for one not in the list). */
export function countRefusedWebhook(status: number): string {
  const reason = WEBHOOK_REFUSAL_REASONS[status] ?? (status >= 500 ? "server_error" : "other");
  metricsState().webhookRefused.inc({ reason });
  return reason;
}

/** Counts what a saved decision did, from its events and the sample it judged. */
export function recordEngineEvents(regionId: string, events: ReadonlyArray<EventDraft>, verdict?: string): void {
  const m = engineMetrics();
  if (verdict) m.verdicts.inc({ region: regionId, verdict });
  for (const e of events) {
    if (e.type === "stage.started") m.stageTransitions.inc({ region: regionId, transition: "started" });
    if (e.type === "stage.passed") m.stageTransitions.inc({ region: regionId, transition: "passed" });
    if (e.type === "region.rolled_back") m.rollbacks.inc({ region: regionId, trigger: rollbackTrigger(e.data) });
  }
}

/** Times a provider call into the histogram, counting it as an error when it throws (an abort is not one). */
export async function timeProviderCall<T>(provider: string, operation: string, call: () => Promise<T>): Promise<T> {
  const m = engineMetrics();
  const end = m.providerCallSeconds.startTimer({ provider, operation });
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof Error && err.name === "AbortError")) m.providerErrors.inc({ provider, operation });
    throw err;
  } finally {
    end();
  }
}
