import { afterEach, beforeEach, expect, it } from "vitest";
import { leases, runners } from "@/db/schema";
import { startRollout } from "@/server/services/rollouts";
import { addUser, createHarness, demoConfig, DIGEST_A, phases, rolloutRow, type Harness } from "./test-fixtures";

let h: Harness;
beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
});
afterEach(() => h.cleanup());

it("start() runs the loop on its own (here in virtual time) and stop() gives the leases up", async () => {
  const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  const t0 = h.clock.now();
  const { rolloutId } = await startRollout(h.as(dana), {
    serviceId: "api",
    artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "delayed",
    delayMinutes: 90,
    regions: ["us-east", "eu-west"],
  });
  await h.runner.start();
  const started = Date.now();
  while (rolloutRow(h.db, rolloutId).status === "running" && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 20));
  await h.runner.stop();

  expect(phases(h.db)).toEqual({ "us-east": "succeeded", "eu-west": "succeeded" });
  // Two regions of about 50 minutes with 90 minutes of observation between them.
  const hours = (rolloutRow(h.db, rolloutId).finishedAt! - t0) / 3_600_000;
  expect(hours).toBeGreaterThan(3.1);
  expect(hours).toBeLessThan(3.4);
  expect(
    h.db.raw
      .select()
      .from(runners)
      .all()
      .map((r) => r.id),
  ).toEqual(["runner-a"]);
  expect(
    h.db.raw
      .select()
      .from(leases)
      .all()
      .every((l) => l.expiresAt === 0 || l.expiresAt <= h.clock.now()),
  ).toBe(true);
});
