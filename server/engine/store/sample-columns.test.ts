import { expect, it } from "vitest";
import type { StageSample } from "@/server/engine/machine/types";
import { SampleColumns } from "./sample-columns";

const sample = (i: number): StageSample => ({
  takenAt: 1_796_000_000_000 + i * 1_000,
  verdict: (["pass", "breach", "inconclusive"] as const)[i % 3],
  gaps: i % 5 === 0 ? ["few_requests", "no_data"] : [],
  canary: { requests: i % 7 === 0 ? null : 100 + i, errors: i % 11 === 0 ? null : i % 4, latencyP95Ms: i % 13 === 0 ? null : 120.25 + i },
  baseline: i % 2 === 0 ? null : { requests: 900 + i, errors: i % 3 === 0 ? null : 2, latencyP95Ms: 99.5 },
});

it("gives back every sample it was given, nulls, gaps and missing baselines included, past its first capacity", () => {
  const columns = new SampleColumns();
  expect(columns.lastTakenAt).toBeUndefined();
  const given = Array.from({ length: 100 }, (_, i) => sample(i));
  for (const s of given) columns.push(s);

  expect(columns.length).toBe(100);
  expect(columns.lastTakenAt).toBe(given[99].takenAt);
  expect(columns.toSamples()).toStrictEqual(given);
});

it("makes new objects each time, so a pass that changes its copy leaves the cache as it was", () => {
  const columns = new SampleColumns();
  columns.push(sample(1));
  const first = columns.toSamples();
  first[0].canary.requests = 0;
  expect(columns.toSamples()[0].canary.requests).toBe(101);
});
