/**
 * The CLI against a running server: a real HTTP server on 127.0.0.1 wrapping the App Router route handlers
 * (http-server.fixtures.ts), the process database shared with an engine runner on a virtual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import { and, eq } from "drizzle-orm";
import { events, regionRollouts } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { addUser, createHarness, demoConfig, DIGEST_A, DIGEST_B, rolloutRow, type Harness } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { startRouteServer } from "./http-server.fixtures";
import type { CliIo } from "./io";
import { runRollback } from "./rollback";
import { runRollout } from "./rollout";
import { realClock } from "@/server/engine/clock";

let h: Harness;
let server: Awaited<ReturnType<typeof startRouteServer>>;
let ada: Actor;

/** No reviewers (so nothing waits at a gate); eu-west's new release breaches at 25 %. */
const config = demoConfig((raw) => {
  raw.policies = { environments: [{ match: "production-*", requiredReviewers: { functional: 0, sre: 0 } }] };
  const eu = (raw.regions as Array<Record<string, unknown>>).find((r) => r.id === "eu-west")!;
  eu.metrics = { provider: "simulated", faults: [{ stagePercent: 25, errorRatePct: 4 }] };
});

beforeEach(async () => {
  h = createHarness({ config });
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = h.db;
  setConfig({ config, file: "test" });
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
  server = await startRouteServer();
});
afterEach(async () => {
  await server.close();
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h.cleanup();
});

/** Captures output; each `sleep` of `wait` runs the engine for a while in virtual time. */
function cli(token: string, opts: { tty?: boolean } = {}) {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: CliIo = {
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    env: { FLIGHTDECK_URL: server.url, FLIGHTDECK_TOKEN: token },
    tty: opts.tty ?? false,
    sleep: async () => {
      for (let i = 0; i < 3; i++) {
        await h.runner.tick();
        h.clock.setTime(Math.max((await h.runner.nextDueAt()) ?? h.clock.now() + 1_000, h.clock.now()));
      }
    },
  };
  return { io, lines, errors };
}

const tokenOf = async (scope: "deploy" | "rollback" | "read", name: string) =>
  (await createToken({ db: h.db, config, actor: ada, clock: realClock }, { name, scope })).token;
const deployToken = () => tokenOf("deploy", "GitHub Actions");

async function start(token: string, version: string, digest: string, regions: string) {
  const c = cli(token);
  const code = await runRollout(
    [
      "start",
      "--service",
      "api",
      "--version",
      version,
      "--digest",
      digest,
      "--ref",
      "refs/heads/main",
      "--strategy",
      "sequential",
      "--regions",
      regions,
      "--json",
    ],
    c.io,
  );
  expect(code).toBe(0);
  return JSON.parse(c.lines.join("\n")).rolloutId as string;
}

describe("flightdeck rollout over HTTP", () => {
  it("refuses a version the server would refuse, with the same words, before sending anything", async () => {
    const c = cli(await deployToken());
    await expect(runRollout(["start", "--service", "api", "--version", "1.4.2 beta", "--digest", DIGEST_A, "--strategy", "sequential"], c.io)).rejects.toThrow(
      '--version: expected a version such as 1.4.2 (letters, digits, . _ + -; at most 128), got "1.4.2 beta"',
    );
    expect(
      h.db.raw
        .select()
        .from(events)
        .all()
        .filter((e) => e.type === "artifact.registered"),
    ).toHaveLength(0);
  });

  it("starts a rollout, shows its status, and `wait` prints progress and exits 0 when it succeeded", async () => {
    const token = await deployToken();
    const rolloutId = await start(token, "1.4.2", DIGEST_A, "us-east");

    const status = cli(token);
    expect(await runRollout(["status", rolloutId], status.io)).toBe(0);
    expect(status.lines[0]).toMatch(new RegExp(`^${rolloutId}  api 1\\.4\\.2  sequential  running  by token GitHub Actions \\(created by Ada\\)$`));
    expect(status.lines[1]).toMatch(/us-east\s+pending/);
    expect(status.lines.join("\n")).not.toContain("\u001b[");

    const wait = cli(token);
    expect(await runRollout(["wait", rolloutId, "--interval", "1"], wait.io)).toBe(0);
    const stagesSeen = wait.lines.map((l) => l.match(/us-east\s+canary, stage (\d+) %/)?.[1]).filter(Boolean);
    expect(stagesSeen).toEqual(["10", "25", "50", "75", "100"]);
    expect(wait.lines.at(-1)).toBe(`Rollout ${rolloutId} succeeded.`);
    expect(rolloutRow(h.db, rolloutId).status).toBe("succeeded");
  });

  it("`wait` exits 1 when the rollout failed, and prints the region rolled back", async () => {
    const token = await deployToken();
    const rolloutId = await start(token, "1.4.3", DIGEST_B, "eu-west");
    const wait = cli(token, { tty: true });
    expect(await runRollout(["wait", rolloutId, "--interval", "1"], wait.io)).toBe(1);
    expect(wait.lines.some((l) => l.includes("rolled back"))).toBe(true);
    expect(wait.lines.at(-1)).toBe(`\u001b[31mRollout ${rolloutId} failed.\u001b[0m`);
  });

  it("pauses, resumes and aborts a region, with --json, and the events name the token", async () => {
    const token = await deployToken();
    const rolloutId = await start(token, "1.4.2", DIGEST_A, "us-east,apac-se");
    const pause = cli(token);
    expect(await runRollout(["pause", rolloutId, "--region", "us-east", "--reason", "looking", "--json"], pause.io)).toBe(0);
    expect(JSON.parse(pause.lines.join(""))).toMatchObject({ regionId: "us-east", paused: true });
    expect(await runRollout(["resume", rolloutId, "--region", "us-east"], cli(token).io)).toBe(0);
    const abort = cli(token);
    expect(await runRollout(["abort", rolloutId, "--region", "apac-se"], abort.io)).toBe(0);
    expect(abort.lines[0]).toMatch(/^abort: apac-se is/);
    const actors = new Set(
      h.db.raw
        .select()
        .from(events)
        .all()
        .filter((e) => e.rolloutId === rolloutId)
        .map((e) => e.actor),
    );
    expect([...actors].some((a) => a.startsWith("token:"))).toBe(true);
  });

  it("promotes a stage with a reason recorded; the validation stage at 100 % refuses a token (403)", async () => {
    const token = await deployToken();
    const rolloutId = await start(token, "1.4.2", DIGEST_A, "us-east");
    const c = cli(token);
    const usEast = () =>
      h.db.raw
        .select()
        .from(regionRollouts)
        .where(and(eq(regionRollouts.rolloutId, rolloutId), eq(regionRollouts.regionId, "us-east")))
        .get()!;
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 500 && !ok(); i++) await c.io.sleep(1);
      expect(ok()).toBe(true);
    };
    await until(() => usEast().stageIndex === 0 && usEast().lastVerdict === "pass");
    expect(await runRollout(["promote", rolloutId, "--region", "us-east", "--reason", "dashboards are clean"], c.io)).toBe(0);
    const promoted = h.db.raw
      .select()
      .from(events)
      .all()
      .find((e) => e.type === "region.promoted")!;
    expect(promoted.data).toMatchObject({ stageIndex: 0, reason: "dashboards are clean", validation: false });
    expect(promoted.actor).toMatch(/^token:/);

    await until(() => usEast().stageIndex === 4 && usEast().lastVerdict === "pass");
    await expect(runRollout(["promote", rolloutId, "--region", "us-east", "--reason", "we are in a hurry today"], cli(token).io)).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("is the validation stage; skipping it needs the sre role and a reason"),
    });
  });

  it("rolls back a region that succeeded (emergency rollback), and reports refusals with the server's message", async () => {
    const token = await deployToken();
    const rolloutId = await start(token, "1.4.2", DIGEST_A, "us-east");
    await runRollout(["wait", rolloutId, "--interval", "1"], cli(token).io);
    const rb = cli(await tokenOf("rollback", "emergency"));
    expect(await runRollback(["--region", "us-east", "--service", "api"], rb.io)).toBe(0);
    expect(rb.lines[0]).toMatch(/^Rollback of us-east requested/);

    const read = (await createToken({ db: h.db, config, actor: ada, clock: realClock }, { name: "reader", scope: "read" })).token;
    await expect(runRollback(["--region", "us-east"], cli(read).io)).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("needs a rollback token"),
    });
    await expect(runRollout(["status", "nope"], cli("fd_unknown").io)).rejects.toMatchObject({ status: 401 });
  });

  it("rolls every region of a service back with --all and waits until each is verified; a retry with the same key requests nothing", async () => {
    const token = await deployToken();
    const rolloutId = await start(token, "1.4.2", DIGEST_A, "us,apac");
    await runRollout(["wait", rolloutId, "--interval", "1"], cli(token).io);
    const emergency = await tokenOf("rollback", "emergency");

    const all = cli(emergency);
    expect(await runRollback(["--all", "--service", "api", "--idempotency-key", "gh-run-9", "--wait", "--interval", "1"], all.io)).toBe(0);
    expect(all.lines[0]).toMatch(/^Emergency rollback of api requested \(batch [0-9a-f-]{36}\); every region moves back at once, each verified:$/);
    expect(all.lines.slice(1, 4)).toEqual([
      "  us-east    100 % of us-east back to blue, the release it served before (none recorded)",
      "  apac-se    100 % of apac-se back to blue, the release it served before (none recorded)",
      "  eu-west    left alone: No rollout of API has reached eu-west yet: there is nothing to roll back.",
    ]);
    expect(all.lines.slice(4).sort()).toEqual([
      expect.stringMatching(
        /^ {2}apac-se {4}back: emergency rollback by token emergency \(created by \w+\): 100 % of traffic is back on blue, the previous release$/,
      ),
      expect.stringMatching(
        /^ {2}us-east {4}back: emergency rollback by token emergency \(created by \w+\): 100 % of traffic is back on blue, the previous release$/,
      ),
    ]);
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
    expect(h.world.weightOf("apac-se")).toEqual({ blue: 100, green: 0 });

    const retry = cli(emergency);
    expect(await runRollback(["--all", "--service", "api", "--idempotency-key", "gh-run-9"], retry.io)).toBe(0);
    expect(retry.lines[0]).toMatch(/^Emergency rollback of api already requested with key gh-run-9 \(batch [0-9a-f-]{36}\); nothing new was requested:$/);
    await expect(runRollback(["--all", "--service", "api"], cli(emergency).io)).rejects.toMatchObject({
      status: 412,
      message: expect.stringContaining("Nothing to roll back in any region of API"),
    });
    await expect(runRollback(["--all", "--region", "eu"], cli(emergency).io)).rejects.toThrow(
      "use --region <id> for one region or --all for every region, not both",
    );
    await expect(runRollback(["--all"], cli(emergency).io)).rejects.toThrow("rollback --all needs --service <id>");
  });

  it("takes the spec's short region names: --region eu", async () => {
    const token = await deployToken();
    const rolloutId = await start(token, "1.4.2", DIGEST_A, "eu-west");
    const c = cli(token);
    for (
      let i = 0;
      i < 500 &&
      !h.db.raw
        .select()
        .from(regionRollouts)
        .all()
        .some((r) => r.canaryPct > 0);
      i++
    )
      await c.io.sleep(1);
    const rb = cli(await tokenOf("rollback", "emergency"));
    expect(await runRollback(["--region", "eu", "--service", "api", "--wait", "--interval", "1"], rb.io)).toBe(0);
    expect(rb.lines[0]).toBe(
      `Rollback of eu-west requested (rollout ${rolloutId}); the engine moves traffic back to the previous release now. Watch it with: flightdeck rollout status ${rolloutId}`,
    );
    expect(rb.lines[1]).toMatch(
      /^ {2}eu-west {4}back: rolled back by token emergency \(created by \w+\) \(manual\) at the \d+ % stage; 100 % of traffic is back on blue$/,
    );
  });
});
