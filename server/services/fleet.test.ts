import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { artifacts, notificationOutbox, regionStates, regions } from "@/db/schema";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { fixedClock } from "@/server/engine/clock";
import { notifyConfig } from "@/server/engine/outbox/test-notify-fixtures";
import { addUser, createHarness, demoConfig, eventsOf, phases, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { listPendingGates } from "./approvals-pending";
import { systemContext } from "./context";
import { seedDemoFleet, syncFleet } from "./fleet";
import { startRollout } from "./rollouts";

const config = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), {}).config!;
const freshDb = () => {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-fleet-")), "db.sqlite"));
  migrateDatabase(db);
  return db;
};

describe("fleet sync", () => {
  it("mirrors the config's regions and gives each service and region a state with blue live", async () => {
    const db = freshDb();
    await syncFleet(systemContext(db, config, fixedClock(1)));
    await syncFleet(systemContext(db, config, fixedClock(2)));
    expect(
      db.raw
        .select()
        .from(regions)
        .all()
        .map((r) => [r.id, r.environment, r.order]),
    ).toEqual([
      ["us-east", "production-us-east", 1],
      ["eu-west", "production-eu-west", 2],
      ["apac-se", "production-apac-se", 3],
    ]);
    expect(
      db.raw
        .select()
        .from(regionStates)
        .all()
        .map((s) => [s.regionId, s.liveColour, s.greenPct]),
    ).toEqual([
      ["us-east", "blue", 0],
      ["eu-west", "blue", 0],
      ["apac-se", "blue", 0],
    ]);
  });

  it("seeds the demo: 1.4.1 live everywhere and ready for 1.4.2, 1.4.2 ready with an expand migration, and is idempotent", async () => {
    const db = freshDb();
    await syncFleet(systemContext(db, config, fixedClock(1)));
    await seedDemoFleet(systemContext(db, config, fixedClock(1)));
    await seedDemoFleet(systemContext(db, config, fixedClock(2)));
    const list = db.raw.select().from(artifacts).all();
    expect(list.map((a) => [a.version, a.manifest]).sort()).toEqual([
      ["1.4.1", { migrations: [], readyFor: "1.4.2" }],
      ["1.4.2", { migrations: [{ id: "0042_add_orders_currency", class: "expand", description: "add nullable column orders.currency" }], readyFor: null }],
    ]);
    const live = list.find((a) => a.version === "1.4.1")!;
    expect(
      new Set(
        db.raw
          .select()
          .from(regionStates)
          .all()
          .map((s) => s.liveArtifactId),
      ),
    ).toEqual(new Set([live.id]));
  });

  it("a demo database seeded before the releases had manifests keeps them as registered and still seeds", async () => {
    const db = freshDb();
    await syncFleet(systemContext(db, config, fixedClock(1)));
    const digestOf = (version: string) => `sha256:${createHash("sha256").update(`flightdeck demo api ${version}`).digest("hex")}`;
    for (const version of ["1.4.1", "1.4.2"])
      await db.artifacts.insertIfAbsent({ id: `old-${version}`, serviceId: "api", version, digest: digestOf(version), createdAt: 1 });
    await seedDemoFleet(systemContext(db, config, fixedClock(2)));
    expect(
      db.raw
        .select()
        .from(artifacts)
        .all()
        .map((a) => [a.id, a.manifest]),
    ).toEqual([
      ["old-1.4.1", null],
      ["old-1.4.2", null],
    ]);
  });
});

describe("the demo's schema gate", () => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.cleanup();
    setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
  });

  it("a start of 1.4.2 passes it, and the approval page and the approval card list its expand migration", async () => {
    h = createHarness({ config: notifyConfig() });
    await seedDemoFleet(systemContext(h.db, h.config, h.clock));
    const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
    const next = (await h.db.artifacts.byServiceVersion("api", "1.4.2"))!;
    const { rolloutId } = await startRollout(h.as(dana), { serviceId: "api", artifactId: next.id, strategy: "parallel", regions: ["us-east"] });
    await runUntil(h, () => phases(h!.db)["us-east"] === "awaiting_approval");

    expect(eventsOf(h.db, { type: "rollout.schema_checked" }).map((e) => e.message)).toEqual([
      "Compatible: 1.4.2 declares 1 migration, none of them contract.",
    ]);
    const [pending] = await listPendingGates(h.as(dana));
    expect(pending.schemaCheck).toMatchObject({
      outcome: "pass",
      migrations: [{ id: "0042_add_orders_currency", class: "expand", description: "add nullable column orders.currency" }],
      regions: [{ regionId: "us-east", liveVersion: "1.4.1", readyFor: "1.4.2", ok: true }],
    });
    const gate = eventsOf(h.db, { type: "gate.opened" }).find((e) => e.rolloutId === rolloutId)!;
    const card = h.db.raw
      .select()
      .from(notificationOutbox)
      .all()
      .find((r) => r.eventId === gate.id && r.kind === "approval-needed")!;
    expect(JSON.stringify(card.payload)).toContain('{"title":"Migrations","value":"0042_add_orders_currency (expand)"}');
  });
});
