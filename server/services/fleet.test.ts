import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { artifacts, regionStates, regions } from "@/db/schema";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { fixedClock } from "@/server/engine/clock";
import { systemContext } from "./context";
import { seedDemoFleet, syncFleet } from "./fleet";

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

  it("seeds the demo: 1.4.1 live everywhere, 1.4.2 ready, and is idempotent", async () => {
    const db = freshDb();
    await syncFleet(systemContext(db, config, fixedClock(1)));
    await seedDemoFleet(systemContext(db, config, fixedClock(1)));
    await seedDemoFleet(systemContext(db, config, fixedClock(2)));
    const list = db.raw.select().from(artifacts).all();
    expect(list.map((a) => a.version).sort()).toEqual(["1.4.1", "1.4.2"]);
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
});
