/**
 * The two engine fixes the provider-fault tests led to, checked fast (no lab): a past window whose metrics could
 * not be read counts toward the inconclusive limit (a store slower than the interval leaves only past windows),
 * and after a failed stage move the balancer is read back and the verified split put back when it holds another.
 * The same faults against the real servers: provider-faults-{traffic,metrics}.test.ts.
 */
import { describe, expect, it } from "vitest";
import { decide } from "@/server/engine/machine/decide";
import { decideInput, inStage, MIN, observation, T0, transitionOf } from "@/server/engine/machine/test-fixtures";
import { checkAfterFailedMove } from "@/server/engine/runner/traffic-check";
import { ProviderError, type RegionProviders, type TrafficSplit } from "@/server/providers/types";

const SEC = 1000;
const NO_DATA = { requests: null, errorRatePct: null, latencyP95Ms: null };

describe("a metrics store that cannot be read, judged on a past window", () => {
  const state = inStage(1, { inconclusive: 2, lastSampleAt: T0 + 60 * SEC, lastVerdict: "inconclusive" });
  const window = (metricsError: string | null) => ({ ...observation(T0 + 60 * SEC, T0 + 90 * SEC, NO_DATA, null), metricsError });

  it("adds to the run and pauses at the limit, naming the store", () => {
    const slow = "Prometheus at http://127.0.0.1:9090 did not answer within 2000 ms";
    const t = transitionOf(decide(decideInput({ now: T0 + 10 * MIN, state, observation: window(slow) })));
    expect(t.patch).toMatchObject({ paused: true, inconclusive: 3 });
    expect(t.events.map((e) => e.type)).toEqual(["analysis.inconclusive", "analysis.inconclusive_limit"]);
    expect(t.events[0].message).toContain(`the metrics could not be read (${slow})`);
    expect(t.events[0].message).toContain("3 of 3 in a row (a past window, replayed)");
  });

  it("a past window that merely has no data still neither adds to nor ends the run", () => {
    const t = transitionOf(decide(decideInput({ now: T0 + 10 * MIN, state, observation: window(null) })));
    expect(t.patch).toEqual({ lastSampleAt: T0 + 90 * SEC, lastVerdict: "inconclusive", inconclusive: 2 });
  });
});

/** A balancer holding `held`, whose reads fail with `readError` when given; records what was set. */
function balancer(held: TrafficSplit, readError?: string) {
  const sets: number[] = [];
  const traffic = {
    getWeight: async () => {
      if (readError) throw new ProviderError("traffic-haproxy", readError, true);
      return held;
    },
    setWeight: async ({ canaryPct }: { canaryPct: number }) => {
      sets.push(canaryPct);
      held = { blue: 100 - canaryPct, green: canaryPct };
      return held;
    },
  };
  return { providers: { traffic } as unknown as RegionProviders, sets };
}

describe("after a failed stage move", () => {
  const state = { regionId: "us-east", toColour: "green" as const, canaryPct: 25 };

  it("a half-shifted balancer is put back to the verified split, and the event data says what was found", async () => {
    const b = balancer({ blue: 60, green: 40 });
    expect(await checkAfterFailedMove(b.providers, state, "corr")).toEqual({
      note: "the load balancer held blue 60 % / green 40 % and was put back to blue 75 % / green 25 %, read back",
      balancer: { found: { blue: 60, green: 40 }, restored: { blue: 75, green: 25 } },
    });
    expect(b.sets).toEqual([25]);
  });

  it("a balancer on the verified split is left alone", async () => {
    const b = balancer({ blue: 75, green: 25 });
    expect((await checkAfterFailedMove(b.providers, state, "corr")).balancer).toEqual({ found: { blue: 75, green: 25 } });
    expect(b.sets).toEqual([]);
  });

  it("a balancer that cannot be read is said to be unverified, with why", async () => {
    const b = balancer({ blue: 60, green: 40 }, "HAProxy's runtime API at /run/haproxy.sock cannot be reached: no such socket");
    const checked = await checkAfterFailedMove(b.providers, state, "corr");
    expect(checked.note).toBe(
      "what the load balancer holds could not be read back (HAProxy's runtime API at /run/haproxy.sock cannot be reached: no such socket): " +
        "unverified until it answers; a resume puts blue 75 % / green 25 % back first",
    );
    expect(checked.balancer).toEqual({ unverified: expect.stringContaining("no such socket") });
    expect(b.sets).toEqual([]);
  });
});
