import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { BacktestBucket, BacktestReport, StageBacktest } from "@/server/services/backtest";
import { BacktestReportView } from "./backtest-report";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const MIN = 60_000;
const strip: BacktestBucket[] = Array.from({ length: 4 }, (_, i) => ({
  from: T0 + i * 60 * MIN,
  to: T0 + (i + 1) * 60 * MIN,
  worst: i === 2 ? "breach" : "pass",
  rolledBack: i === 2,
}));
const stage: StageBacktest = {
  index: 0,
  percent: 10,
  limits: "error rate ≤ 1 %, p95 latency ≤ 500 ms",
  durationMs: 5 * MIN,
  windows: { pass: 470, breach: 10, inconclusive: 0 },
  firstBreach: { from: T0 + 120 * MIN, to: T0 + 120 * MIN + 30_000, words: "error rate 5 % > 1 %" },
  rollbacks: [
    { from: T0 + 30 * MIN, to: T0 + 30 * MIN + 30_000, cause: [], words: "error rate 3 % > 1 %", falseAlarm: true },
    { from: T0 + 120 * MIN, to: T0 + 120 * MIN + 30_000, cause: [], words: "error rate 5 % > 1 %", falseAlarm: false },
  ],
  holds: [],
  detection: { at: T0 + 120 * MIN + 30_000, afterMs: 30_000 },
  falseAlarms: 1,
  strip,
  summary: "would have rolled back at 10 % after 30 s; 1 false alarm in the 4 h",
};
const report: BacktestReport = {
  regionId: "us-east",
  serviceId: "api",
  colour: "blue",
  baselineColour: "green",
  from: T0,
  to: T0 + 240 * MIN,
  intervalMs: 30_000,
  windowCount: 480,
  incident: { from: T0 + 120 * MIN, to: T0 + 130 * MIN },
  thresholds: "config",
  stages: [stage],
  summary: "Caught at 1 of 1 stages, fastest at 10 % after 30 s; 1 false alarm in the 4 h (1 at 10 %).",
};

describe("BacktestReportView", () => {
  const html = renderToStaticMarkup(createElement(BacktestReportView, { report }));

  it("leads with the answer, then what was replayed", () => {
    expect(html).toContain("Caught at 1 of 1 stages, fastest at 10 % after 30 s; 1 false alarm in the 4 h (1 at 10 %).");
    expect(html).toContain("us-east · api · blue against green · 1 Dec 2026, 12:00:00 UTC to 1 Dec 2026, 16:00:00 UTC · 480 windows of 30 s");
  });

  it("says per stage what it would have done, its first breach and its false alarms, in words", () => {
    expect(html).toContain("would have rolled back at 10 % after 30 s; 1 false alarm in the 4 h");
    expect(html).toContain("First breach: 1 Dec 2026, 14:00:30 UTC: error rate 5 % &gt; 1 %");
    expect(html).toContain("False alarm at 1 Dec 2026, 12:30:30 UTC: error rate 3 % &gt; 1 %");
    expect(html).toContain("Windows: 470 passed, 10 breached, 0 inconclusive · 2 rollback(s) · 0 hold(s)");
  });

  it("describes the strip for screen readers and hides its cells", () => {
    expect(html).toContain("Over the period in 4 stretches: 1 with a breach, 1 with a rollback.");
    expect(html).toMatch(/aria-hidden="true"[^>]*class="flex h-4/);
  });
});
