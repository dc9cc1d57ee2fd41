import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { ProviderError, type MeasureInput } from "@/server/providers/types";
import { startRollout } from "@/server/services/rollouts";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, regionRolloutOf, runUntil, type Harness } from "./test-fixtures";

let h: Harness;
let dana: Actor;
let measured: MeasureInput[];
let storeDown: boolean;
let runner: Runner;

beforeEach(() => {
  h = createHarness({
    config: demoConfig((raw) => {
      (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
      (raw.services as unknown[]).push({ id: "checkout", name: "Checkout", strategyPolicy: "off" });
    }),
  });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  measured = [];
  storeDown = false;
  runner = new Runner({
    db: h.db,
    config: h.config,
    clock: h.clock,
    id: "runner-o",
    providersFor: (region) => {
      const real = providersForRegion(h.config, region, h.world, h.clock);
      return {
        ...real,
        metrics: {
          measure: async (input) => {
            measured.push(input);
            if (storeDown) throw new ProviderError("metrics-prometheus", "Prometheus at http://prom:9090 cannot be reached: ECONNREFUSED (is it down?)", true);
            return real.metrics.measure(input);
          },
        },
      };
    },
  });
});
afterEach(() => h.cleanup());

const start = async (serviceId: string) =>
  (
    await startRollout(h.as(dana), {
      serviceId,
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    })
  ).rolloutId;

describe("the runner's samples", () => {
  it("name the rollout's service, so {service} in a PromQL template is the one being rolled out", async () => {
    const rolloutId = await start("checkout");
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").lastVerdict !== null, undefined, 20_000, runner);
    expect(measured.length).toBeGreaterThan(0);
    expect(new Set(measured.map((m) => m.service))).toEqual(new Set(["checkout"]));
  });

  it("a metrics store that cannot be reached is no data, and the events and the pause say what failed", async () => {
    const rolloutId = await start("api");
    await runUntil(
      h,
      () => regionRolloutOf(h.db, rolloutId, "us-east").stageIndex === 0,
      () => (storeDown = regionRolloutOf(h.db, rolloutId, "us-east").stageIndex === 0),
      20_000,
      runner,
    );
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").paused, undefined, 20_000, runner);
    const why = "the metrics could not be read (Prometheus at http://prom:9090 cannot be reached: ECONNREFUSED (is it down?))";
    expect(regionRolloutOf(h.db, rolloutId, "us-east").pauseReason).toContain(why);
    const [limit] = eventsOf(h.db, { type: "analysis.inconclusive_limit" });
    expect(limit.message).toContain(why);
    expect(limit.data).toMatchObject({ alert: true });
  });
});
