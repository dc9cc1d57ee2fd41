/** `flightdeck simulate --fault … --record` against a real migrated database, chosen as the server would (FLIGHTDECK_DB here). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { events } from "@/db/schema";
import { cliOperator } from "@/server/actor";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { fixedClock } from "@/server/engine/clock";
import { strategyVerdictsOf } from "@/server/services/strategy-policy";
import type { CliIo } from "./io";
import { simulate } from "./simulate";
import { parseSimulateArgs } from "./simulate-args";
import { recordSimulatedDrill } from "./simulate-record";

const NOW = Date.UTC(2026, 11, 7, 9, 0);
let dir: string;
let dbFile: string;
let configFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-drill-"));
  dbFile = path.join(dir, "fleet.db");
  // The demo fleet with the spec's migration path on (the demo file turns it off).
  configFile = path.join(dir, "fleet.yaml");
  writeFileSync(configFile, readFileSync(DEMO_CONFIG_PATH, "utf8").replace('strategyPolicy: "off"', "strategyPolicy: {}"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: { FLIGHTDECK_DB: dbFile }, tty: false, sleep: async () => undefined };
  return { io, out, err };
}

describe("flightdeck simulate --record", () => {
  it("records a simulation that rolled eu-west back as the service's rollback drill, which the migration path then counts", async () => {
    const opts = parseSimulateArgs(["--config", configFile, "--fault", "eu-west:25:error_rate=1.2", "--record"]);
    const result = await simulate(opts);
    const { io, out } = fakeIo();
    expect(await recordSimulatedDrill(opts, result, io, fixedClock(NOW), "ops")).toBe(0);
    expect(out).toEqual(["Recorded as a rollback drill of api (eu-west rolled back): it counts for the migration path for 30 days."]);

    const db = openDatabase(dbFile);
    try {
      const drills = db.raw.select().from(events).where(eq(events.type, "drill.recorded")).all();
      expect(drills).toEqual([
        expect.objectContaining({ at: NOW, actor: "cli:ops", serviceId: "api", data: expect.objectContaining({ rolledBack: ["eu-west"] }) }),
      ]);
      const config = parseConfig(readFileSync(configFile, "utf8"), {}).config!;
      const view = await strategyVerdictsOf({ db, config, clock: fixedClock(NOW + 60_000), actor: cliOperator("ops") }, { serviceId: "api" });
      expect(view.verdicts.find((v) => v.strategy === "parallel")!.reason).toBe(
        "Parallel is not open yet (migration path): 0 of 5 clean delayed rollouts. Use delayed until then.",
      );
    } finally {
      await db.close();
    }
  });

  it("records nothing when the simulation rolled nothing back, and says why (exit 1)", async () => {
    const opts = parseSimulateArgs(["--config", configFile, "--record"]);
    const result = await simulate(opts);
    const { io, err } = fakeIo();
    expect(await recordSimulatedDrill(opts, result, io, fixedClock(NOW), "ops")).toBe(1);
    expect(err[0]).toContain("The simulation rolled nothing back, so it is no rollback drill");
  });
});
