/**
 * `flightdeck db copy`: a SQLite installation filled through the services and the engine (rollouts that succeeded
 * and rolled back, approvals, samples, cards in the outbox, users, a token, a session: a row in every table) is moved to a fresh
 * PostgreSQL database; the PostgreSQL store then reads back every row, the same rollout status and page, signs the
 * same token and session in, and numbers new rows after the copied ones. Refusals leave the target as it was.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getTableColumns, getTableName, is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MIGRATIONS_FOLDER, migrateDatabase, migrateStore, openDatabase, openStore, type PgStore } from "@/db/client";
import { pgTables } from "@/db/pg/schema";
import * as schema from "@/db/schema";
import { rawRows, rawSql } from "@/db/store/test-stores";
import { testDatabaseUrl } from "@/lab/test-postgres";
import { SYSTEM, type Actor } from "@/server/actor";
import { authorizeLocal } from "@/server/auth/authorize";
import { createSession, resolveSessionUser } from "@/server/auth/session-store";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { notifyHarness } from "@/server/engine/outbox/test-notify-fixtures";
import { rollOutToEuWest } from "@/server/engine/outbox/test-observability-fixtures";
import { addUser, approveWaitingGates, demoConfig, phases, runUntil, startInUsEast, type Harness } from "@/server/engine/runner/test-fixtures";
import { authenticateToken, createToken } from "@/server/services/api-tokens";
import { approveGate } from "@/server/services/approvals";
import { receiveCiWebhook } from "@/server/services/ci-webhook";
import { goodBody, SECRET, signedRequest } from "@/server/services/ci-webhook.fixtures";
import { injectDemoFault } from "@/server/services/demo-faults";
import { declareFreeze, liftFreeze } from "@/server/services/freezes";
import { liftQuarantine, listQuarantines } from "@/server/services/quarantines";
import { linkSlackMember } from "@/server/services/slack-actions-link";
import { RateLimiter, WEBHOOK_RATE_LIMIT } from "@/server/services/rate-limiter";
import type { ServiceContext } from "@/server/services/context";
import { getRolloutNotifications } from "@/server/services/rollout-notifications";
import { getRolloutStatus } from "@/server/services/rollout-status";
import { getRolloutEvents, getRolloutSamples, getRolloutView } from "@/server/services/rollout-view";
import { createLocalUser, linkOAuthAccount, listUsers } from "@/server/services/users";
import { copySqliteToPostgres, type CopyReport } from "@/db/copy";
import { runDb } from "./db";
import type { CliIo } from "./io";
import { main } from "./main";

let h: Harness;
let file: string;
let ada: Actor;
let vic: Actor;
let rolledBack: string;
let succeeded: string;
let token: string;
let sessionId: string;

beforeAll(async () => {
  // The spec's example: EU West breaches at 25 % and is rolled back (a cause, an incident card); US East succeeds.
  h = notifyHarness({ faultAt25: true });
  file = path.join(h.dir, "test.db");
  rolledBack = (await rollOutToEuWest(h)).rolloutId;
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
  vic = addUser(h.db, "vic", "Vic", ["viewer"]);
  const reviewers = [addUser(h.db, "rita", "Rita", ["reviewer"]), addUser(h.db, "sven", "Sven", ["sre"])];
  // The breach quarantined 1.4.2; lifting it lets US East roll the same release out (and fills the quarantines table).
  const [quarantine] = (await listQuarantines(h.as(ada))).quarantines;
  await liftQuarantine(h.as(ada), { id: quarantine.id, reason: "the fault was injected: the release is good" });
  succeeded = await startInUsEast(h, ada);
  await runUntil(
    h,
    () => phases(h.db)["us-east"] === "succeeded",
    () => approveWaitingGates(h, reviewers, approveGate),
  );
  const { userId } = await createLocalUser(h.as(ada), { email: "olu@example.com", name: "Olu", password: "a long enough password", roles: ["deployer"] });
  token = (await createToken(h.as(ada), { name: "ci", scope: "deploy" })).token;
  sessionId = (await createSession(h.as(ada), userId)).id;
  // The rest of the tables: an OAuth account, a failed sign-in, a rate bucket (a real number), a demo fault, a CI delivery.
  await linkOAuthAccount(h.as(SYSTEM), { provider: "github", providerAccountId: "42", email: "gus@example.com", name: "Gus" });
  expect(await authorizeLocal(h.as(SYSTEM), { email: "olu@example.com", password: "not the password" }, "192.0.2.1")).toBeNull();
  expect(await new RateLimiter("webhook", WEBHOOK_RATE_LIMIT).take(h.db, "192.0.2.1", h.clock.now())).toEqual({ allowed: true });
  await injectDemoFault(h.as(ada), { regionId: "apac-se", stagePercent: 25, errorRatePct: 2.5 });
  await declareFreeze(h.as(ada), { reason: "drill: a stop-all declared and lifted" });
  await liftFreeze(h.as(ada));
  await linkSlackMember(h.as(ada), { slackUserId: "U0ADA1234" });
  const delivery = signedRequest(goodBody({ regions: ["apac-se"] }), { timestamp: String(Math.floor(h.clock.now() / 1000)) });
  const answer = await receiveCiWebhook({ ...h.as(SYSTEM), secret: SECRET }, { headers: delivery.headers, rawBody: await delivery.text() });
  expect(answer.status).toBe(202);
}, 60_000);

afterAll(() => {
  h.cleanup();
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
});

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, tty: false, sleep: async () => undefined };
  return { io, out, err };
}

async function copy(from: string, to: string) {
  const { io, out, err } = fakeIo();
  const code = await runDb(["copy", "--from", from, "--to", to], io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Every table of db/schema by export name (the views are derived from them). */
const TABLES = Object.entries(schema).flatMap(([name, value]) => (is(value, SQLiteTable) ? [{ name, table: value }] : []));

/** A table's rows on either store, read through its columns, in one order. */
async function rowsOf(store: { dialect: string }, name: string): Promise<unknown[]> {
  const sqliteTable = TABLES.find((t) => t.name === name)!.table;
  const rows =
    store.dialect === "sqlite"
      ? await h.db.raw.select().from(sqliteTable)
      : await (store as PgStore).raw.select().from(pgTables[name as keyof typeof pgTables] as typeof sqliteTable & never);
  return rows.map((r) => JSON.stringify(r, Object.keys(getTableColumns(sqliteTable)))).sort();
}

async function countsOf(store: PgStore): Promise<Record<string, number>> {
  const [row] = await rawRows<Record<string, string>>(
    store,
    `select ${TABLES.map(({ name }) => `(select count(*) from ${sqlName(name)}) as "${name}"`).join(", ")}`,
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}
const sqlName = (name: string) => getTableName(TABLES.find((t) => t.name === name)!.table);

describe("flightdeck db copy", () => {
  let url: string;
  let pg: PgStore;
  let copied: Awaited<ReturnType<typeof copy>>;

  beforeAll(async () => {
    url = await testDatabaseUrl();
    copied = await copy(`sqlite:${file}`, url);
    pg = (await openStore(url)) as PgStore;
  });
  afterAll(() => pg?.close());

  it("fills an installation's every table, and prints each table's rows and a last line", async () => {
    expect(copied.err).toBe("");
    expect(copied.code).toBe(0);
    // The installation is real: the engine, the services and the outbox wrote these.
    for (const { name } of TABLES) expect(await rowsOf(h.db, name), name).not.toHaveLength(0);
    const total = (await Promise.all(TABLES.map(async ({ name }) => (await rowsOf(h.db, name)).length))).reduce((a, b) => a + b, 0);
    expect(copied.out).toMatch(/^ {2}services +1 row$/m);
    expect(copied.out).toMatch(/^ {2}events +\d+ rows$/m);
    expect(copied.out.split("\n")).toHaveLength(TABLES.length + 1);
    expect(copied.out.split("\n").at(-1)).toBe(`Copied ${total} rows in ${TABLES.length} tables from ${file} to ${url}; the row counts of every table match.`);
  });

  it("reads back every row of every table as the SQLite store reads it (booleans, JSON, numbers)", async () => {
    for (const { name } of TABLES) expect(await rowsOf(pg, name), name).toEqual(await rowsOf(h.db, name));
  });

  it("shows the same rollouts on both stores: status (REST and CLI), page, samples, events, cards, users", async () => {
    vi.useFakeTimers({ now: h.clock.now(), toFake: ["Date"] }); // the page reads the time for its links
    try {
      const on = (db: ServiceContext["db"]): ServiceContext => ({ db, config: h.config, actor: vic, clock: h.clock });
      for (const rolloutId of [rolledBack, succeeded]) {
        const status = await getRolloutStatus(on(h.db), rolloutId);
        expect(await getRolloutStatus(on(pg), rolloutId)).toEqual(status);
        expect(await getRolloutView(on(pg), rolloutId)).toEqual(await getRolloutView(on(h.db), rolloutId));
        expect(await getRolloutSamples(on(pg), rolloutId)).toEqual(await getRolloutSamples(on(h.db), rolloutId));
        expect(await getRolloutEvents(on(pg), rolloutId)).toEqual(await getRolloutEvents(on(h.db), rolloutId));
        expect(await getRolloutNotifications(on(pg), { rolloutId })).toEqual(await getRolloutNotifications(on(h.db), { rolloutId }));
      }
      expect((await getRolloutStatus(on(pg), rolledBack)).regions[0]).toMatchObject({ regionId: "eu-west", phase: "rolled_back", cause: expect.anything() });
      expect((await getRolloutStatus(on(pg), succeeded)).status).toBe("succeeded");
      expect(await listUsers({ ...on(pg), actor: ada })).toEqual(await listUsers({ ...on(h.db), actor: ada }));
    } finally {
      vi.useRealTimers();
    }
  });

  it("signs the copied API token and session in on PostgreSQL", async () => {
    const ctx: ServiceContext = { db: pg, config: h.config, actor: ada, clock: h.clock };
    expect((await authenticateToken(ctx, `Bearer ${token}`)).actor).toMatchObject({ kind: "token" });
    expect(await resolveSessionUser(ctx, sessionId)).toMatchObject({ email: "olu@example.com", roles: ["deployer"] });
  });

  it("numbers new rows after the copied ones: the next event and role change get new ids", async () => {
    const [{ max }] = await rawRows<{ max: string }>(pg, "select max(id) as max from events");
    const [{ max: maxRoleChange }] = await rawRows<{ max: string }>(pg, "select max(id) as max from role_changes");
    await createLocalUser(
      { db: pg, config: h.config, actor: ada, clock: h.clock },
      { email: "kim@example.com", name: "Kim", password: "a long enough password", roles: ["sre"] },
    );
    const [created] = await rawRows<{ id: string }>(pg, "select id from events where type = 'user.created' order by id desc limit 1");
    expect(Number(created.id)).toBe(Number(max) + 1);
    const [granted] = await rawRows<{ id: string }>(pg, "select max(id) as id from role_changes");
    expect(Number(granted.id)).toBe(Number(maxRoleChange) + 1);
  });

  it("refuses a target that already holds data, naming its tables, and changes nothing", async () => {
    const before = await countsOf(pg);
    const again = await copy(file, url);
    expect(again.code).toBe(1);
    expect(again.out).toBe("");
    expect(again.err).toMatch(
      /^flightdeck db copy: the target postgres:\/\/\S+ already holds data \(.*events has \d+ rows.*\): db copy only fills an empty database/,
    );
    expect(await countsOf(pg)).toEqual(before);
  });
});

describe("flightdeck db copy, other ways", () => {
  it("copies a table larger than a batch whole, batch after batch", async () => {
    const url = await testDatabaseUrl();
    const samples = (h.db.$client.prepare("select count(*) as n from samples").get() as { n: number }).n;
    expect(samples).toBeGreaterThan(3 * 50);
    const report = await copySqliteToPostgres({ from: file, to: url, batchSize: 50 });
    expect(report.tables.find((t) => t.table === "samples")).toEqual({ table: "samples", rows: samples });
    const pg = (await openStore(url)) as PgStore;
    try {
      expect(await rowsOf(pg, "samples")).toEqual(await rowsOf(h.db, "samples"));
    } finally {
      await pg.close();
    }
  });

  it("answers --json with every table's rows and the identities it set", async () => {
    const url = await testDatabaseUrl();
    const { io, out } = fakeIo();
    expect(await runDb(["copy", "--from", file, "--to", url, "--json"], io)).toBe(0);
    const report = JSON.parse(out.join("\n")) as CopyReport & { from: string; to: string };
    expect(report.from).toBe(file);
    expect(report.tables.map((t) => t.table)).toContain("events");
    expect(report.rows).toBe(report.tables.reduce((sum, t) => sum + t.rows, 0));
    const [{ max }] = await rawRows<{ max: number }>(h.db, "select max(id) as max from events");
    expect(report.identities).toContainEqual({ column: "events.id", value: max });
  });
});

describe("flightdeck db copy refuses", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), "flightdeck-db-copy-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a missing source, through the real entry point: exit 1 and the path", async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      const missing = path.join(dir, "nothing-here.db");
      expect(await main(["db", "copy", "--from", missing, "--to", "postgres://flightdeck@127.0.0.1:1/never-reached"])).toBe(1);
      expect(err.join("")).toBe(
        `flightdeck db copy: no SQLite database at ${missing}: give --from the file Flightdeck ran on (FLIGHTDECK_DB, data/flightdeck.db by default)\n`,
      );
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("bad arguments with exit 2: a target that is not PostgreSQL, a source that is", async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      expect(await main(["db", "copy", "--from", "data/flightdeck.db", "--to", "mysql://db/flightdeck"])).toBe(2);
      expect(await main(["db", "copy", "--from", "postgres://127.0.0.1/a", "--to", "postgres://127.0.0.1/b"])).toBe(2);
      expect(await main(["db", "move"])).toBe(2);
      expect(err).toEqual([
        "flightdeck db: --to: expected the PostgreSQL database to fill, as postgres://user:password@host:5432/database\n",
        "flightdeck db: --from: expected a SQLite file; db copy moves a SQLite installation to PostgreSQL\n",
        'flightdeck db: expected db copy, got "db move"\n',
      ]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("a target it cannot reach, naming it without its password", async () => {
    const unreachable = await copy(file, "postgres://flightdeck:s3cret@127.0.0.1:1/flightdeck");
    expect(unreachable).toMatchObject({
      code: 1,
      err: "flightdeck db copy: cannot prepare the target postgres://flightdeck:***@127.0.0.1:1/flightdeck: connect ECONNREFUSED 127.0.0.1:1",
    });
  });

  it("a file that is not a SQLite database, and one Flightdeck never migrated", async () => {
    const url = await testDatabaseUrl();
    writeFileSync(path.join(dir, "notes.db"), "not a database, only some notes of somebody's");
    const junk = await copy(path.join(dir, "notes.db"), url);
    expect(junk).toMatchObject({ code: 1, err: `flightdeck db copy: cannot read ${path.join(dir, "notes.db")} as a SQLite database: file is not a database` });

    const blank = path.join(dir, "blank.db");
    openDatabase(blank).$client.close();
    const never = await copy(blank, url);
    expect(never.code).toBe(1);
    expect(never.err).toBe(
      `flightdeck db copy: ${blank} has no Flightdeck migrations applied: it is not a Flightdeck database, or Flightdeck never started on it; ` +
        `start this version of Flightdeck once on it (FLIGHTDECK_DB=${blank} npm start) so it migrates, stop it, then copy`,
    );
  });

  it("a source behind the latest migration: start Flightdeck once on it first", async () => {
    // The migrations as an older Flightdeck had them: all but the last.
    const older = path.join(dir, "older-migrations");
    cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    const journalFile = path.join(older, "meta/_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
    const [previous, latest] = journal.entries.slice(-2).map((e) => e.tag);
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }));
    const file = path.join(dir, "older.db");
    const store = openDatabase(file);
    migrateDatabase(store, older);
    store.$client.close();

    const url = await testDatabaseUrl();
    const behind = await copy(file, url);
    expect(behind.code).toBe(1);
    expect(behind.err).toBe(
      `flightdeck db copy: ${file} is migrated up to ${previous}, not the latest (${latest}): ` +
        `start this version of Flightdeck once on it (FLIGHTDECK_DB=${file} npm start) so it migrates, stop it, then copy`,
    );
    // Refused before the target was touched: not even migrated.
    const target = (await openStore(url)) as PgStore;
    try {
      expect(await rawRows(target, "select table_name from information_schema.tables where table_schema = current_schema()")).toEqual([]);
    } finally {
      await target.close();
    }
  });
});

describe("a copy that fails leaves the target empty", () => {
  /** A migrated, empty target with a trigger on `table` (raising, or dropping the rows silently). */
  async function targetWithTrigger(table: string, body: string): Promise<{ url: string; target: PgStore }> {
    const url = await testDatabaseUrl();
    const target = (await openStore(url)) as PgStore;
    await migrateStore(target);
    await rawSql(target, `create function copy_trap() returns trigger language plpgsql as $$ begin ${body} end; $$`);
    await rawSql(target, `create trigger copy_trap before insert on ${table} for each row execute function copy_trap()`);
    return { url, target };
  }

  it("when an insert fails: the error names the table, and nothing was committed", async () => {
    const { url, target } = await targetWithTrigger("sessions", "raise exception 'the disk is full';");
    try {
      const failed = await copy(file, url);
      expect(failed.code).toBe(1);
      // The database's words, not the query's values (session ids are credentials).
      expect(failed.err).toBe("flightdeck db copy: copying sessions failed after 0 rows, so nothing was written to the target (rolled back): the disk is full");
      expect(Object.values(await countsOf(target)).every((n) => n === 0)).toBe(true);
    } finally {
      await target.close();
    }
  });

  it("when the row counts differ: the check names the table and its counts, and nothing was committed", async () => {
    const { url, target } = await targetWithTrigger("samples", "return null;");
    try {
      const samples = (h.db.$client.prepare("select count(*) as n from samples").get() as { n: number }).n;
      const failed = await copy(file, url);
      expect(failed.code).toBe(1);
      expect(failed.err).toBe(
        `flightdeck db copy: the row counts differ after the copy (samples: ${samples} in SQLite, 0 in PostgreSQL), so nothing was written to the target (rolled back)`,
      );
      expect(Object.values(await countsOf(target)).every((n) => n === 0)).toBe(true);
    } finally {
      await target.close();
    }
  });
});
