import { describe, expect, it } from "vitest";
import { formatMetric, sparklineLabel, sparklineReadout } from "./sparkline-text";

describe("sparklineReadout", () => {
  it("shows the newest value against the current limit, as on the card", () => {
    expect(sparklineReadout(0.42, 0.8, "%")).toBe("0.42 % / max 0.8 %");
    expect(sparklineReadout(212.4, 450, "ms")).toBe("212 ms / max 450 ms");
  });

  it("says when the newest sample had no data or no stage has started", () => {
    expect(sparklineReadout(null, 0.8, "%")).toBe("no data / max 0.8 %");
    expect(sparklineReadout(0.1, null, "%")).toBe("0.1 % / no limit");
  });
});

describe("formatMetric", () => {
  it("keeps two significant digits of an error rate without float noise, and whole milliseconds", () => {
    expect(formatMetric(0.30000000000000004, "%")).toBe("0.3 %");
    expect(formatMetric(1.256, "%")).toBe("1.3 %");
    expect(formatMetric(449.6, "ms")).toBe("450 ms");
  });
});

describe("sparklineLabel", () => {
  const points = [
    { value: 0.2, threshold: 1 },
    { value: 0.95, threshold: 0.8 },
    { value: null, threshold: 0.8 },
    { value: 0.42, threshold: 0.8 },
  ];

  it("reads out the newest value, the limit, the range and how many samples were over their threshold", () => {
    expect(sparklineLabel({ metric: "Error rate", unit: "%", points, max: 0.8, past: false })).toBe(
      "Error rate over the last 4 canary samples: newest 0.42 %, limit 0.8 %, range 0.2 % to 0.95 %, 1 over its threshold.",
    );
  });

  it("says the samples are from the last rollout when nothing runs", () => {
    expect(sparklineLabel({ metric: "p95 latency", unit: "ms", points: [{ value: 280, threshold: 300 }], max: 300, past: true })).toBe(
      "p95 latency over the last canary sample of the last rollout: newest 280 ms, limit 300 ms, none over its threshold.",
    );
  });

  it("says there are no samples yet, with the limit when a stage has started", () => {
    expect(sparklineLabel({ metric: "Error rate", unit: "%", points: [], max: 1, past: false })).toBe("Error rate: no canary samples yet, limit 1 %.");
    expect(sparklineLabel({ metric: "Error rate", unit: "%", points: [], max: null, past: false })).toBe("Error rate: no canary samples yet, no limit yet.");
  });
});
