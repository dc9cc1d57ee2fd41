/**
 * What Flightdeck pushes to the Pushgateway at a stage transition, in Prometheus's text exposition format.
 * One group per region rollout (grouping key job/rollout_id/region, which the Pushgateway adds as labels to
 * every series); each push replaces the whole group (PUT), so the group always shows the stage in effect.
 *
 * Gauges, each labelled service, stage (1-based stage number) and correlation_id:
 * - flightdeck_canary_traffic_percent: percent of the region's requests on the new colour
 * - flightdeck_canary_error_rate_percent, flightdeck_canary_latency_p95_seconds, flightdeck_canary_cpu_percent,
 *   flightdeck_canary_memory_percent: the new colour's latest sample in this stage
 * - flightdeck_canary_verdict: that sample's verdict, 1 pass, 0 breach, -1 inconclusive
 * - flightdeck_stage_duration_seconds: time spent in the stage when it was pushed (0 when it just started)
 * A value not known yet (no sample in a stage that just started) is left out rather than pushed as 0.
 */
export type Verdict = "pass" | "breach" | "inconclusive";

export type StageSnapshot = {
  rolloutId: string;
  regionId: string;
  serviceId: string;
  correlationId: string;
  /** 0-based, as stored; pushed 1-based. */
  stageIndex: number;
  canaryPct: number;
  errorRatePct: number | null;
  latencyP95Ms: number | null;
  cpuPct: number | null;
  memoryPct: number | null;
  verdict: Verdict | null;
  stageDurationMs: number | null;
};

export const VERDICT_VALUE: Record<Verdict, number> = { pass: 1, breach: 0, inconclusive: -1 };

type Gauge = { name: string; help: string; value: number | null };

export function gaugesOf(s: StageSnapshot): Gauge[] {
  return [
    { name: "flightdeck_canary_traffic_percent", help: "Percent of the region's requests on the new colour.", value: s.canaryPct },
    {
      name: "flightdeck_canary_error_rate_percent",
      help: "Error rate of the new colour in its latest sample of this stage, in percent.",
      value: s.errorRatePct,
    },
    {
      name: "flightdeck_canary_latency_p95_seconds",
      help: "p95 latency of the new colour in its latest sample of this stage.",
      value: s.latencyP95Ms === null ? null : s.latencyP95Ms / 1000,
    },
    { name: "flightdeck_canary_cpu_percent", help: "CPU use of the new colour in its latest sample of this stage, in percent.", value: s.cpuPct },
    { name: "flightdeck_canary_memory_percent", help: "Memory use of the new colour in its latest sample of this stage, in percent.", value: s.memoryPct },
    {
      name: "flightdeck_canary_verdict",
      help: "Verdict of the latest sample of this stage: 1 pass, 0 breach, -1 inconclusive.",
      value: s.verdict === null ? null : VERDICT_VALUE[s.verdict],
    },
    {
      name: "flightdeck_stage_duration_seconds",
      help: "Time spent in the stage when this was pushed.",
      value: s.stageDurationMs === null ? null : s.stageDurationMs / 1000,
    },
  ];
}

/** The request body: text exposition format 0.0.4, one gauge per known value. */
export function buildPushBody(s: StageSnapshot): string {
  const labels = `{service="${escapeLabel(s.serviceId)}",stage="${s.stageIndex + 1}",correlation_id="${escapeLabel(s.correlationId)}"}`;
  const lines: string[] = [];
  for (const g of gaugesOf(s)) {
    if (g.value === null || !Number.isFinite(g.value)) continue;
    lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, `${g.name}${labels} ${g.value}`);
  }
  return lines.join("\n") + "\n";
}

/** `/metrics/job/flightdeck/rollout_id/<id>/region/<region>`; a value with a slash goes base64url-encoded, as the Pushgateway allows. */
export function groupingPath(rolloutId: string, regionId: string): string {
  return `/metrics/job/flightdeck/${groupingPair("rollout_id", rolloutId)}/${groupingPair("region", regionId)}`;
}

function groupingPair(name: string, value: string): string {
  if (value !== "" && !value.includes("/")) return `${name}/${encodeURIComponent(value)}`;
  return `${name}@base64/${Buffer.from(value, "utf8").toString("base64url") || "="}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
