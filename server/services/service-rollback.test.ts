import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { notificationOutbox } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { CHANNELS } from "@/server/engine/outbox/test-notify-fixtures";
import { addUser, createHarness, DIGEST_A, DIGEST_B, eventsOf, phases, regionRolloutOf, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { BUILT } from "./ci-webhook.fixtures";
import { ServiceError } from "./errors";
import { getRegionsOverview } from "./overview";
import { rollbackRegion } from "./region-commands";
import { startRollout } from "./rollouts";
import { rollbackService } from "./service-rollback";

/** The demo fleet without approval gates, an incidents channel, and a second service (web) that never rolls out. */
function fleet(): FleetConfig {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.policies = { environments: [{ match: "*", protected: false }] };
  raw.notifications = { channels: [CHANNELS[0]] };
  raw.services = [...(raw.services as unknown[]), { id: "web", name: "Web", repository: "https://github.com/flightdeck-demo/web" }];
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return config;
}

let h: Harness;
let dana: Actor;
let sam: Actor;

beforeEach(() => {
  h = createHarness({ config: fleet() });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
});
afterEach(() => h.cleanup());

const DIGEST_C = `sha256:${"c".repeat(64)}`;
const start = (version: string, digest: string, regions: string[]) =>
  startRollout(h.as(dana), { serviceId: "api", artifact: { version, digest, ...BUILT }, strategy: "parallel", regions });
const outbox = () => h.db.raw.select().from(notificationOutbox).all();
const slackFacts = (payload: unknown) =>
  (payload as { blocks: Array<{ type: string; text?: { text: string } }> }).blocks.filter((b) => b.type === "section")[0].text!.text.split("\n");

async function refusal(fn: () => Promise<unknown>): Promise<ServiceError> {
  const err = await fn().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

/**
 * us-east serves 1.0.0 on blue with 0.9.0 still on green (two rollouts succeeded); eu-west runs the canary of 1.1.0
 * on blue over 0.9.0 on green; apac-se never saw a rollout.
 */
async function fleetInTrouble() {
  const first = await start("0.9.0", DIGEST_A, ["us-east", "eu-west"]);
  await runUntil(h, () => phases(h.db)["us-east"] === "succeeded" && phases(h.db)["eu-west"] === "succeeded");
  const second = await start("1.0.0", DIGEST_B, ["us-east"]);
  await runUntil(h, () => regionRolloutOf(h.db, second.rolloutId, "us-east").phase === "succeeded");
  const canary = await start("1.1.0", DIGEST_C, ["eu-west"]);
  await runUntil(h, () => regionRolloutOf(h.db, canary.rolloutId, "eu-west").canaryPct > 0);
  return { first, second, canary };
}

describe("the emergency rollback of every region of a service", () => {
  it("is refused to a viewer and a reviewer, and names what each region's button would do before anyone presses it", async () => {
    await fleetInTrouble();
    for (const [id, role] of [
      ["vera", "viewer"],
      ["rafael", "reviewer"],
    ] as const) {
      const err = await refusal(() => rollbackService(h.as(addUser(h.db, id, id, [role])), { serviceId: "api" }));
      expect(err.code).toBe("FORBIDDEN");
      expect(err.message).toBe("An emergency rollback of every region needs the deployer, sre or admin role.");
    }
    expect(eventsOf(h.db, { type: "region.rollback_requested" })).toHaveLength(0);

    const overview = await getRegionsOverview(h.as(sam));
    const api = overview.services.find((s) => s.serviceId === "api")!;
    const option = (regionId: string) => api.regions.find((r) => r.regionId === regionId)!.rollback;
    expect(option("us-east")).toMatchObject({ possible: true, inCanary: false, summary: "100 % of us-east back to green, release 0.9.0" });
    expect(option("eu-west")).toMatchObject({ possible: true, inCanary: true, summary: "100 % of eu-west back to green, release 0.9.0" });
    expect(option("eu-west")).toMatchObject({ detail: expect.stringMatching(/^The canary of 1\.1\.0 \(\d+ % on blue\) ends rolled back/) });
    expect(option("apac-se")).toEqual({
      possible: false,
      serviceId: "api",
      regionId: "apac-se",
      reason: "No rollout of API has reached apac-se yet: there is nothing to roll back.",
    });
  });

  it("rolls a canary region and a succeeded one back at once, each verified on its balancer, with one incident card for all", async () => {
    const { canary } = await fleetInTrouble();
    const answer = await rollbackService(h.as(sam), { serviceId: "api" });
    expect(answer).toMatchObject({
      serviceId: "api",
      replayed: false,
      requested: [
        { regionId: "us-east", inCanary: false, colour: "green", release: "0.9.0", version: "1.0.0", summary: "100 % of us-east back to green, release 0.9.0" },
        { regionId: "eu-west", inCanary: true, colour: "green", release: "0.9.0", version: "1.1.0", rolloutId: canary.rolloutId },
      ],
      skipped: [{ regionId: "apac-se", reason: "No rollout of API has reached apac-se yet: there is nothing to roll back." }],
    });
    expect(eventsOf(h.db, { type: "service.rollback_requested" })).toHaveLength(1);

    await runUntil(h, () => eventsOf(h.db, { type: "service.rolled_back" }).length > 0);
    expect(h.world.weightOf("us-east")).toEqual({ blue: 0, green: 100 });
    expect(h.world.weightOf("eu-west")).toEqual({ blue: 0, green: 100 });
    // Both in parallel: in whichever order their moves were verified.
    expect(eventsOf(h.db, { type: "region.rolled_back" }).map((e) => [e.regionId, e.actor])).toEqual(
      expect.arrayContaining([
        ["us-east", "user:sam"],
        ["eu-west", "user:sam"],
      ]),
    );

    const [summary] = eventsOf(h.db, { type: "service.rolled_back" });
    expect(summary).toMatchObject({ actor: "user:sam", serviceId: "api", correlationId: answer.batchId });
    expect((summary.data as { outcomes: Array<{ regionId: string; outcome: string }> }).outcomes.map((o) => [o.regionId, o.outcome])).toEqual([
      ["us-east", "rolled_back"],
      ["eu-west", "rolled_back"],
    ]);
    expect(summary.message).toMatch(
      /^Emergency rollback of api by user:sam: 2 of 2 regions back on the previous release\. us-east back to green, release 0\.9\.0, verified/,
    );

    // One card for the whole rollback: none of its own for either region.
    const incidents = outbox().filter((r) => r.kind === "incident" || r.kind === "emergency-rollback");
    expect(incidents.map((r) => [r.kind, r.eventId])).toEqual([["emergency-rollback", summary.id]]);
    const facts = slackFacts(incidents[0].payload);
    expect(facts[0]).toBe("• *Service:* API");
    expect(facts[1]).toBe("• *Impact:* Emergency rollback by Sam, every region of API in parallel");
    expect(facts[2]).toMatch(/^• \*US East:\* ✅ 100 % back on green, release 0\.9\.0, verified in \d+ s$/);
    expect(facts[3]).toMatch(/^• \*EU West:\* ✅ 100 % back on green, release 0\.9\.0, verified in \d+ s$/);
    expect(facts[4]).toBe("• *APAC Southeast:* left alone: No rollout of API has reached apac-se yet: there is nothing to roll back.");
    expect(facts[5]).toBe("• *Status:* ✅ All 2 regions rolled back, each verified by its load balancer");

    // Nothing is left to roll back: the refusal says why, region by region.
    const again = await refusal(() => rollbackService(h.as(sam), { serviceId: "api" }));
    expect(again.code).toBe("PRECONDITION_FAILED");
    expect(again.message).toContain(
      "Nothing to roll back in any region of API: us-east: Nothing to roll back: 1.0.0 was already rolled back and green serves 100 % of us-east.",
    );
  });

  it("answers a retry with the same idempotency key with the first outcome, requesting nothing again", async () => {
    await fleetInTrouble();
    const first = await rollbackService(h.as(sam), { serviceId: "api", idempotencyKey: "gh-run-42" });
    const retry = await rollbackService(h.as(sam), { serviceId: "api", idempotencyKey: "gh-run-42" });
    expect(retry).toEqual({ ...first, replayed: true });
    expect(eventsOf(h.db, { type: "region.rollback_requested" })).toHaveLength(2);
    expect(eventsOf(h.db, { type: "service.rollback_requested" })).toHaveLength(1);

    const misuse = await refusal(() => rollbackService(h.as(sam), { serviceId: "web", idempotencyKey: "gh-run-42" }));
    expect(misuse.code).toBe("CONFLICT");
    expect(misuse.message).toBe("Idempotency key gh-run-42 was already used for the emergency rollback of api; use a new key for another request.");
    const bad = await refusal(() => rollbackService(h.as(sam), { serviceId: "api", idempotencyKey: "two words" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toBe("idempotencyKey: expected 1 to 200 visible ASCII characters (a UUID, a CI run id)");
  });

  it("refuses a service with nothing to roll back anywhere, and an unknown service, with the reason", async () => {
    const nothing = await refusal(() => rollbackService(h.as(sam), { serviceId: "web" }));
    expect(nothing.code).toBe("PRECONDITION_FAILED");
    expect(nothing.message).toBe(
      "Nothing to roll back in any region of Web: " +
        ["us-east", "eu-west", "apac-se"].map((r) => `${r}: No rollout of Web has reached ${r} yet: there is nothing to roll back.`).join(" "),
    );
    const unknown = await refusal(() => rollbackService(h.as(sam), { serviceId: "mobile" }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toBe('There is no service "mobile" in the fleet config (known: api, web).');
  });
});

describe("the spec's short region names", () => {
  it("roll a region back by `eu`, and start a rollout in `us` and `apac`", async () => {
    const { canary } = await fleetInTrouble();
    const row = await rollbackRegion(h.as(sam), { serviceId: "api", regionId: "eu" });
    expect(row).toMatchObject({ rolloutId: canary.rolloutId, regionId: "eu-west", requestedAction: "rollback" });
    await runUntil(h, () => regionRolloutOf(h.db, canary.rolloutId, "eu-west").phase === "rolled_back");
    const started = await start("1.2.0", `sha256:${"d".repeat(64)}`, ["apac", "us"]);
    expect(started.regions.map((r) => r.regionId)).toEqual(["us-east", "apac-se"]);
    const unknown = await refusal(() => rollbackRegion(h.as(sam), { serviceId: "api", regionId: "mars" }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toBe('There is no region "mars" in the fleet config (known: us-east, eu-west, apac-se, or by short name us, eu, apac).');
  });
});
