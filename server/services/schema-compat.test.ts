import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { artifacts, events, regionRollouts, regionStates, rollouts, stages } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, demoConfig, type Harness } from "@/server/engine/runner/test-fixtures";
import { listPendingGates } from "./approvals-pending";
import { registerArtifact, type ReleaseManifestInput } from "./artifacts";
import { BUILT } from "./ci-webhook.fixtures";
import { ServiceError } from "./errors";
import { previewPlan } from "./rollout-plan-preview";
import { getRolloutView } from "./rollout-view";
import { startRollout } from "./rollouts";
import { parseManifestText } from "./schema-compat";

let h: Harness;
let dana: Actor;
let sam: Actor;
let ada: Actor;
let digests = 0;

const DROP = { id: "0042_drop_legacy_name", class: "contract", description: "drop column users.legacy_name" } as const;
const ADD = { id: "0041_add_display_name", class: "expand", description: "add column users.display_name" } as const;

/** The demo fleet, migration path off; every environment unprotected unless `gated` (then eu-west waits for approval). */
function harness(gated = false) {
  h = createHarness({
    config: demoConfig((raw) => {
      (raw.services as Array<Record<string, unknown>>)[0].strategyPolicy = "off";
      (raw.policies as Record<string, unknown>).environments = gated
        ? [
            { match: "production-eu-west", requiredReviewers: { functional: 1, sre: 1 } },
            { match: "*", protected: false },
          ]
        : [{ match: "*", protected: false }];
    }),
  });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
}
afterEach(() => h.cleanup());

async function caught(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError");
}

const digest = () => `sha256:${String(++digests).padStart(64, "0")}`;

/** `version` registered with `manifest` and made live in `regions`, as a finished rollout would leave it. */
async function live(version: string, manifest: ReleaseManifestInput | null, regions: string[]) {
  const { artifact } = await registerArtifact(h.as(dana), { serviceId: "api", version, digest: digest(), ...BUILT, manifest });
  for (const regionId of regions) h.db.raw.update(regionStates).set({ liveArtifactId: artifact.id }).where(eq(regionStates.regionId, regionId)).run();
  return artifact;
}

const start = (actor: Actor, version: string, manifest: ReleaseManifestInput | null, extra: { regions?: string[]; schemaOverrideReason?: string } = {}) =>
  startRollout(h.as(actor), {
    serviceId: "api",
    artifact: { version, digest: digest(), ...BUILT, manifest },
    strategy: "sequential",
    regions: extra.regions ?? "all",
    ...(extra.schemaOverrideReason ? { schemaOverrideReason: extra.schemaOverrideReason } : {}),
  });

/** Rows of every table a start writes. */
function written() {
  const count = (table: typeof rollouts | typeof regionRollouts | typeof artifacts | typeof stages | typeof events) =>
    h.db.raw.select().from(table).all().length;
  return { rollouts: count(rollouts), regionRollouts: count(regionRollouts), artifacts: count(artifacts), stages: count(stages), events: count(events) };
}

const eventsOf = (type: string) =>
  h.db.raw
    .select()
    .from(events)
    .all()
    .filter((e) => e.type === type);

describe("the schema-compatibility gate at start", () => {
  it("refuses a contract migration the live release does not declare readyFor, naming the migration, the region's live release and what it needs; nothing is written", async () => {
    harness();
    await live("1.4.1", { migrations: [ADD] }, ["us-east", "eu-west", "apac-se"]);
    const before = written();
    const err = await caught(() => start(dana, "1.5.0", { migrations: [ADD, DROP] }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toContain('contract migration 0042_drop_legacy_name ("drop column users.legacy_name")');
    expect(err.message).toContain("1.4.1 live in us-east does not declare readyFor 1.5.0; 1.4.1 live in eu-west does not declare readyFor 1.5.0");
    expect(err.message).toContain("ship an expand release first. An admin may start it anyway with a schema override reason.");
    expect(written()).toEqual(before);
  });

  it("names the readyFor the live release declares when it is for another version", async () => {
    harness();
    await live("1.4.1", { migrations: [], readyFor: "1.4.9" }, ["us-east"]);
    const err = await caught(() => start(dana, "1.5.0", { migrations: [DROP] }, { regions: ["us-east"] }));
    expect(err.message).toContain("1.4.1 live in us-east does not declare readyFor 1.5.0 (it declares 1.4.9); ship an expand release first.");
  });

  it("starts when the live release of each chosen region declares readyFor this version, and records the verdict", async () => {
    harness();
    await live("1.4.1", { migrations: [ADD], readyFor: "1.5.0" }, ["us-east", "eu-west"]);
    await live("1.3.0", null, ["apac-se"]);
    // apac-se still serves a release that is not ready, so only the ready regions may take it.
    expect((await caught(() => start(dana, "1.5.0", { migrations: [DROP] }))).message).toContain("1.3.0 live in apac-se does not declare readyFor 1.5.0");

    const { rolloutId } = await start(dana, "1.5.0", { migrations: [DROP] }, { regions: ["us-east", "eu-west"] });
    const [checked] = eventsOf("rollout.schema_checked");
    expect(checked).toMatchObject({ rolloutId, actor: "user:dana", data: { outcome: "pass", version: "1.5.0", migrations: [DROP] } });
    expect(checked.message).toBe(
      'Compatible: 1.5.0 carries contract migration 0042_drop_legacy_name ("drop column users.legacy_name"), and 1.4.1 live in us-east, 1.4.1 live in eu-west declare readyFor 1.5.0.',
    );
    expect(h.db.raw.select().from(artifacts).where(eq(artifacts.version, "1.5.0")).get()?.manifest).toEqual({ migrations: [DROP], readyFor: null });
  });

  it("lets expand and none migrations through whatever is live, and a first release through anywhere; a release without a manifest records nothing", async () => {
    harness();
    await start(dana, "0.9.0", { migrations: [DROP] }); // nothing live yet: nothing shares the database
    h.db.raw.update(regionStates).set({ activeRegionRolloutId: null }).run();
    await live("1.4.1", null, ["us-east", "eu-west", "apac-se"]);
    await start(dana, "1.5.0", { migrations: [ADD, { id: "0043_backfill", class: "none", description: "backfill display names" }] });
    h.db.raw.update(regionStates).set({ activeRegionRolloutId: null }).run();
    await start(dana, "1.5.1", null);
    expect(eventsOf("rollout.schema_checked").map((e) => [e.data, e.message])).toEqual([
      [expect.objectContaining({ outcome: "pass", version: "0.9.0" }), expect.stringContaining("no region serves a release yet")],
      [expect.objectContaining({ outcome: "pass", version: "1.5.0" }), "Compatible: 1.5.0 declares 2 migrations, none of them contract."],
    ]);
  });
});

describe("the admin override", () => {
  it("is refused to a deployer and an SRE (nothing written); an admin starts with a reason, recorded on the rollout and as events", async () => {
    harness();
    await live("1.4.1", null, ["us-east", "eu-west", "apac-se"]);
    const before = written();
    for (const actor of [dana, sam]) {
      const refused = await caught(() => start(actor, "1.5.0", { migrations: [DROP] }, { schemaOverrideReason: "legacy_name was never read" }));
      expect(refused.code).toBe("FORBIDDEN");
      expect(refused.message).toContain("Starting it anyway (schema override) needs the admin role.");
    }
    expect(written()).toEqual(before);

    const { rolloutId } = await start(ada, "1.5.0", { migrations: [DROP] }, { schemaOverrideReason: "legacy_name was never read" });
    expect(h.db.raw.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get()?.schemaOverrideReason).toBe("legacy_name was never read");
    expect(eventsOf("rollout.schema_checked")).toEqual([expect.objectContaining({ rolloutId, data: expect.objectContaining({ outcome: "overridden" }) })]);
    const [override] = eventsOf("rollout.schema_override");
    expect(override).toMatchObject({ rolloutId, actor: "user:ada", data: { reason: "legacy_name was never read" } });
    expect(override.message).toContain(
      'Ada started 1.5.0 although the live release does not tolerate its contract migration (schema override): "legacy_name was never read".',
    );
  });
});

describe("what reviewers and the start form see", () => {
  it("the approval page and the rollout page show the migrations and the verdict over what was live at start", async () => {
    harness(true);
    await live("1.4.1", { migrations: [], readyFor: "1.5.0" }, ["us-east", "eu-west", "apac-se"]);
    const { rolloutId } = await start(dana, "1.5.0", { migrations: [ADD, DROP] }, { regions: ["eu-west"] });
    h.db.raw.update(regionRollouts).set({ phase: "awaiting_approval" }).where(eq(regionRollouts.rolloutId, rolloutId)).run();
    const [pending] = await listPendingGates(h.as(sam));
    expect(pending.schemaCheck).toMatchObject({
      outcome: "pass",
      migrations: [ADD, DROP],
      contract: [DROP],
      regions: [{ regionId: "eu-west", liveVersion: "1.4.1", readyFor: "1.5.0", ok: true }],
      overrideReason: null,
    });
    // What was live when it started, not what is live now.
    await live("1.4.2", null, ["eu-west"]);
    expect((await getRolloutView(h.as(sam), rolloutId)).schemaCheck).toMatchObject({ outcome: "pass", regions: [{ liveVersion: "1.4.1" }] });
  });

  it("the start form's preview names the refusal beside the artifact, so Start stays disabled unless an admin gives a reason", async () => {
    harness();
    await live("1.4.1", null, ["us-east"]);
    const contract = await registerArtifact(h.as(dana), { serviceId: "api", version: "1.5.0", digest: digest(), ...BUILT, manifest: { migrations: [DROP] } });
    const preview = await previewPlan(h.as(dana), { serviceId: "api", artifactId: contract.artifact.id, strategy: "sequential", regions: ["us-east"] });
    expect(preview.problems).toEqual([{ field: "artifactId", message: expect.stringContaining("1.4.1 live in us-east does not declare readyFor 1.5.0") }]);
    expect(preview.schemaOverridable).toBe(false);
    // An admin is offered the override, and with a reason the preview lets Start through.
    const asked = { serviceId: "api", artifactId: contract.artifact.id, strategy: "sequential" as const, regions: ["us-east"] };
    expect((await previewPlan(h.as(ada), asked)).schemaOverridable).toBe(true);
    expect(await previewPlan(h.as(ada), { ...asked, schemaOverrideReason: "legacy_name was never read" })).toMatchObject({
      problems: [],
      schemaOverridable: false,
    });
  });
});

describe("the manifest", () => {
  it("flightdeck.json: errors name the file and each field", () => {
    const err = (text: string) => {
      try {
        parseManifestText(text);
      } catch (e) {
        return (e as ServiceError).message;
      }
      throw new Error("expected a refusal");
    };
    expect(err("{")).toMatch(/^flightdeck\.json: not valid JSON/);
    expect(err(JSON.stringify({ migrations: [{ id: "0042", class: "drop", description: "x" }], readyFor: "1 .5" }))).toBe(
      'flightdeck.json: migrations[0].class: expected expand, contract or none, got "drop"; readyFor: expected a version such as 1.4.2 (letters, digits, . _ + -; at most 128)',
    );
    expect(err(JSON.stringify({ migrations: [{ id: "0042", class: "contract" }], readyfor: "1.5.0" }))).toContain("migrations[0].description");
    expect(err(JSON.stringify({ migrations: [], readyfor: "1.5.0" }))).toBe('flightdeck.json: unknown field(s) "readyfor"');
    expect(parseManifestText(JSON.stringify({ migrations: [DROP] }))).toEqual({ migrations: [DROP], readyFor: null });
  });

  it("is immutable with the artifact: the same version and digest with another manifest is refused", async () => {
    harness();
    const first = { serviceId: "api", version: "1.5.0", digest: digest(), ...BUILT, manifest: { migrations: [DROP] } };
    await registerArtifact(h.as(dana), first);
    expect((await registerArtifact(h.as(dana), first)).created).toBe(false);
    expect((await registerArtifact(h.as(dana), { ...first, manifest: null })).created).toBe(false);
    const err = await caught(() => registerArtifact(h.as(dana), { ...first, manifest: { migrations: [ADD] } }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain("api 1.5.0 is already registered with another manifest (its migrations or readyFor differ)");
  });
});
