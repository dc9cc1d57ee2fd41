import Database from "better-sqlite3";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER, migrateDatabase, openDatabase } from "./client";

type Journal = { entries: Array<{ idx: number; tag: string }> };

/** A copy of the migrations folder holding only the first `count` migrations: the schema as it was then. */
function migrationsUpTo(count: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "fd-migrations-"));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as Journal;

describe("migrations", () => {
  it("are committed in order, one SQL file each", () => {
    expect(journal.entries.length).toBeGreaterThanOrEqual(2);
    journal.entries.forEach((e, i) => expect(e.idx).toBe(i));
  });

  it.each(journal.entries.slice(1).map((e) => [e.tag, e.idx] as const))(
    "%s migrates a database holding rows of the previous schema without losing any",
    (_tag, idx) => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "fd-db-")), "old.db");
      const before = openDatabase(file);
      migrateDatabase(before, migrationsUpTo(idx));
      const raw = before.$client;
      const now = 1_700_000_000_000;
      raw.prepare("insert into services (id, name, created_at) values ('api', 'API', ?)").run(now);
      raw.prepare("insert into regions (id, name, environment, sort_order, created_at) values ('eu-west', 'EU West', 'production-eu-west', 2, ?)").run(now);
      raw
        .prepare("insert into artifacts (id, service_id, version, digest, created_at) values ('ar_1', 'api', '1.4.2', ?, ?)")
        .run("sha256:" + "a".repeat(64), now);
      raw
        .prepare(
          "insert into region_states (service_id, region_id, live_colour, live_artifact_id, green_pct, updated_at) values ('api', 'eu-west', 'green', 'ar_1', 100, ?)",
        )
        .run(now);
      raw.prepare("insert into users (id, email, name, created_at) values ('u_1', 'sre@example.com', 'Sam', ?)").run(now);
      raw.prepare("insert into role_assignments (user_id, role, granted_by, granted_at) values ('u_1', 'sre', 'system', ?)").run(now);
      raw.prepare("insert into events (at, type, actor, message) values (?, 'user.roles_changed', 'system', 'Sam is now sre')").run(now);
      const tables = ["services", "regions", "artifacts", "region_states", "users", "role_assignments", "events"];
      const snapshot = Object.fromEntries(tables.map((t) => [t, raw.prepare(`select * from ${t}`).all()]));
      raw.close();

      const after = openDatabase(file);
      migrateDatabase(after, migrationsUpTo(idx + 1));
      // Every row and value survives; a migration may add columns beside them.
      for (const t of tables) expect(after.$client.prepare(`select * from ${t}`).all(), t).toEqual(snapshot[t].map((row) => expect.objectContaining(row)));
      after.$client.close();
    },
  );

  it("keeps the event log append-only", () => {
    const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-db-")), "ev.db"));
    migrateDatabase(db);
    db.$client.prepare("insert into events (at, type, actor, message) values (1, 'x', 'system', 'm')").run();
    expect(() => db.$client.prepare("update events set message = 'changed'").run()).toThrow(/append-only/);
    expect(() => db.$client.prepare("delete from events").run()).toThrow(/append-only/);
    // REPLACE deletes the row it conflicts with without firing the DELETE trigger: an insert on a used id is refused.
    const id = (db.$client.prepare("select max(id) as id from events").get() as { id: number }).id;
    expect(() => db.$client.prepare("insert or replace into events (id, at, type, actor, message) values (?, 2, 'y', 'system', 'forged')").run(id)).toThrow(
      /append-only/,
    );
  });

  it("opens the file in WAL mode with foreign keys on", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "fd-db-")), "wal.db");
    const db = openDatabase(file);
    expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
    new Database(file).close();
  });
});
