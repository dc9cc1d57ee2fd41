import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { JudgedMetric, RolloutView, SamplePoint } from "@/server/services/rollout-view";
import { chartedMetrics, judgedAt, limitWords, markOf, METRICS, stageMetricLines } from "./judged-metrics";
import { chartSummary, MetricPanel } from "./metric-panel";
import { StageTimeline } from "./stage-timeline";

type Region = RolloutView["regions"][number];

const CANARY: JudgedMetric[] = [
  { metric: "error_rate", limit: 0.5, rule: "atMost", unit: "%" },
  { metric: "latency_p95", limit: 400, rule: "atMost", unit: "ms" },
];
const VALIDATION: JudgedMetric[] = [
  { metric: "error_rate", limit: 0.2, rule: "atMost", unit: "%" },
  { metric: "latency_p95", limit: 300, rule: "atMost", unit: "ms" },
  { metric: "cpu", limit: 70, rule: "below", unit: "%" },
  { metric: "memory", limit: 70, rule: "below", unit: "%" },
  { metric: "health", limit: 200, rule: "equal", unit: "status" },
];

const point = (at: number, stageIndex: number, values: Partial<SamplePoint> = {}): SamplePoint => ({
  at,
  stageIndex,
  canaryErrorRatePct: 0.04,
  canaryP95Ms: 182.4,
  baselineErrorRatePct: 0.03,
  baselineP95Ms: 170,
  maxErrorRatePct: stageIndex === 1 ? 0.2 : 0.5,
  maxLatencyP95Ms: stageIndex === 1 ? 300 : 400,
  canaryCpuPct: 41.27,
  baselineCpuPct: 38,
  canaryMemoryPct: 52,
  baselineMemoryPct: 50,
  canaryHealthStatus: 200,
  baselineHealthStatus: 200,
  maxCpuPct: stageIndex === 1 ? 70 : null,
  maxMemoryPct: stageIndex === 1 ? 70 : null,
  healthStatus: stageIndex === 1 ? 200 : null,
  verdict: "pass",
  breached: [],
  reasons: null,
  ...values,
});

describe("the stage card lists every judged metric with its limit", () => {
  it("writes each limit by the engine's rule: at most, strictly below, or exactly a status", () => {
    expect(VALIDATION.map(limitWords)).toEqual(["max 0.2 %", "max 300 ms", "below 70 %", "below 70 %", "expect 200"]);
  });

  it("gives the newest value of the stage beside its limit, whole, and the limit alone before a sample", () => {
    const points = [point(1, 0, { canaryErrorRatePct: 0.3 }), point(2, 0), point(3, 1, { canaryCpuPct: 75, canaryHealthStatus: 503 })];
    expect(stageMetricLines(CANARY, points, 0).map((l) => l.text)).toEqual(["error rate 0.04 % / max 0.5 %", "p95 182 ms / max 400 ms"]);
    expect(stageMetricLines(VALIDATION, points, 1)).toEqual([
      { metric: "error_rate", text: "error rate 0.04 % / max 0.2 %", over: false },
      { metric: "latency_p95", text: "p95 182 ms / max 300 ms", over: false },
      { metric: "cpu", text: "CPU 75 % / below 70 %", over: true },
      { metric: "memory", text: "memory 52 % / below 70 %", over: false },
      { metric: "health", text: "health 503 / expect 200", over: true },
    ]);
    expect(stageMetricLines(VALIDATION, [], 1).map((l) => l.text)).toEqual([
      "error rate: max 0.2 %",
      "p95: max 300 ms",
      "CPU: below 70 %",
      "memory: below 70 %",
      "health: expect 200",
    ]);
  });

  it("renders the lines on the stage cards: CPU, memory and health only on the validation stage", () => {
    const stage = (index: number, percent: number, judges: JudgedMetric[]) =>
      ({
        index,
        percent,
        judges,
        durationMs: 60_000,
        status: index === 0 ? "passed" : "running",
        startedAt: 1,
        finishedAt: null,
        samples: { pass: 2, breach: 0, inconclusive: 0 },
        promotion: null,
      }) as unknown as Region["stages"][number];
    const region = { regionId: "us-east", phase: "canary", paused: false, rollback: null } as unknown as Region;
    const html = renderToStaticMarkup(
      createElement(StageTimeline, { stages: [stage(0, 50, CANARY), stage(1, 100, VALIDATION)], region, now: null, points: [point(1, 0), point(2, 1)] }),
    );
    expect(html).toContain('data-testid="stage-metrics-us-east-0"');
    expect(html).toContain("error rate 0.04 % / max 0.5 %");
    expect(html).toContain("CPU 41.3 % / below 70 %");
    expect(html).toContain("memory 52 % / below 70 %");
    expect(html).toContain("health 200 / expect 200");
    expect(html.split("CPU").length - 1).toBe(1);
  });
});

describe("the charts of a region", () => {
  const stages = [
    { percent: 50, judges: CANARY },
    { percent: 100, judges: VALIDATION },
  ];

  it("charts every metric some stage judges, and says where only some stages judge it", () => {
    expect(chartedMetrics(stages)).toEqual(["error_rate", "latency_p95", "cpu", "memory", "health"]);
    expect(chartedMetrics([stages[0]])).toEqual(["error_rate", "latency_p95"]);
    expect(judgedAt(stages, "cpu")).toBe("judged at 100 %");
    expect(judgedAt(stages, "error_rate")).toBeNull();
  });

  it("marks a breach only on the metric it broke, and inconclusive samples only where the metric is judged", () => {
    const breach = point(1, 1, { verdict: "breach", breached: ["cpu"] });
    expect(markOf(breach, "cpu")).toBe("breach");
    expect(markOf(breach, "error_rate")).toBeNull();
    const unsure = point(2, 0, { verdict: "inconclusive" });
    expect(markOf(unsure, "error_rate")).toBe("inconclusive");
    expect(markOf(unsure, "cpu")).toBeNull();
  });

  it("is a named image with a table of its samples behind Show as table, and no Tab stop of its own", () => {
    const points = [point(1, 0), point(2, 1, { verdict: "breach", breached: ["cpu"], canaryCpuPct: 81 })];
    const props = { regionName: "US East", metric: "cpu" as const, points, fromColour: "blue", toColour: "green" };
    expect(chartSummary(props)).toBe("CPU in US East, 2 samples: newest green (canary) 81 %, blue (baseline) 38 %, limit below 70 %; 1 breach, 0 inconclusive");
    const html = renderToStaticMarkup(createElement(MetricPanel, { ...props, judgedAt: "judged at 100 %", stagePercents: [50, 100] }));
    expect(html).toContain('role="img"');
    expect(html).toContain(`aria-label="${chartSummary(props)}"`);
    expect(html).toContain("<figcaption");
    expect(html).toContain("judged at 100 %");
    expect(html).toContain("<summary");
    expect(html).toContain("Show as table");
    expect(html).not.toContain("tabindex");
    // The drawing is not in the server's HTML: a placeholder of its size stands in until the browser loads it.
    expect(html).not.toContain("recharts");
    expect(html).toContain("h-56");
  });

  it("says there are no samples yet without a table", () => {
    const html = renderToStaticMarkup(
      createElement(MetricPanel, {
        regionName: "EU West",
        metric: "error_rate",
        points: [],
        fromColour: "blue",
        toColour: "green",
        judgedAt: null,
        stagePercents: [],
      }),
    );
    expect(html).toContain('aria-label="Error rate in EU West: no samples yet"');
    expect(html).not.toContain("Show as table");
  });
});

describe("the charts' rules are the read model's", () => {
  it("gives each metric the rule the stage's judged list gives it", () => {
    for (const j of VALIDATION) expect(METRICS[j.metric]).toMatchObject({ rule: j.rule, unit: j.unit });
  });
});
