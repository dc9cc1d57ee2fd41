import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { addUser, createHarness, type Harness } from "@/server/engine/runner/test-fixtures";
import { systemContext } from "@/server/services/context";
import { seedDemoFleet } from "@/server/services/fleet";

let h: Harness;

beforeEach(async () => {
  h = createHarness();
  setConfig({ config: h.config, file: DEMO_CONFIG_PATH });
  await seedDemoFleet(systemContext(h.db, h.config, h.clock));
  addUser(h.db, "dana", "Dana", ["deployer"]);
  addUser(h.db, "vic", "Vic", ["viewer"]);
});
afterEach(() => h.cleanup());

const callerFor = (user: SessionUser) => createCaller({ db: h.db, user, headers: new Headers() });
const deployer = () => callerFor({ id: "dana", email: "dana@example.test", name: "Dana", roles: ["deployer"] });
const viewer = () => callerFor({ id: "vic", email: "vic@example.test", name: "Vic", roles: ["viewer"] });

describe("starting a rollout from the dashboard", () => {
  it("offers the registered artifacts, previews the plan of the chosen values, then starts exactly that", async () => {
    const options = await deployer().rollouts.startOptions();
    const api = options.services.find((s) => s.id === "api")!;
    expect(api.artifacts.map((a) => a.version).sort()).toEqual(["1.4.1", "1.4.2"]);
    expect(api.artifacts.find((a) => a.version === "1.4.1")?.liveIn).toEqual(["us-east", "eu-west", "apac-se"]);
    const next = api.artifacts.find((a) => a.version === "1.4.2")!;

    const values = { serviceId: "api", artifactId: next.id, strategy: "delayed" as const, delayMinutes: 90, regions: api.regions.map((r) => r.id) };
    const preview = await deployer().rollouts.previewPlan(values);
    expect(preview.problems).toEqual([]);
    expect(preview.plan?.regions.map((r) => r.regionId)).toEqual(["us-east", "eu-west", "apac-se"]);

    const { rolloutId } = await deployer().rollouts.start(values);
    const view = await viewer().rollouts.get({ id: rolloutId });
    expect(view).toMatchObject({ strategy: "delayed", artifact: { version: "1.4.2" } });

    // The regions are taken now: the same preview warns before anyone presses start again.
    const again = await deployer().rollouts.previewPlan(values);
    expect(again.problems.map((p) => [p.field, p.message.split(" is already")[0]])).toEqual([
      ["regions", "us-east"],
      ["regions", "eu-west"],
      ["regions", "apac-se"],
    ]);
  });

  it("answers an unfinished form with problems by field, not a 400", async () => {
    const preview = await deployer().rollouts.previewPlan({ serviceId: "api", strategy: "delayed", delayMinutes: 10 });
    expect(preview.plan).toBeNull();
    expect(preview.problems.map((p) => p.field)).toEqual(["artifactId", "delayMinutes"]);
    expect(preview.problems[1].message).toContain("from 30 to 240");
  });

  it("refuses both queries to a viewer with FORBIDDEN", async () => {
    await expect(viewer().rollouts.startOptions()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer().rollouts.previewPlan({ serviceId: "api", strategy: "parallel", artifactId: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
