/** `flightdeck users` against a real migrated database, chosen as the server would (FLIGHTDECK_DB here). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { events, sessions, users } from "@/db/schema";
import { createSession } from "@/server/auth/session-store";
import { systemCtxOf } from "@/server/services/users.fixtures";
import { verifyPassword } from "@/server/auth/password";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { fixedClock } from "@/server/engine/clock";
import type { CliIo } from "./io";
import { runUsers } from "./users";
import { ArgumentError } from "./simulate-args";

const NOW = 1_700_000_000_000;
let dir: string;
let dbFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-users-cli-"));
  dbFile = path.join(dir, "fleet.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { FLIGHTDECK_DB: dbFile, FLIGHTDECK_CONFIG: DEMO_CONFIG_PATH },
    tty: false,
    sleep: async () => undefined,
  };
  return { io, out, err };
}

const run = (argv: string[], extra: { stdin?: string } = {}) => {
  const f = fakeIo();
  const done = runUsers(argv, f.io, { operator: "ops", clock: fixedClock(NOW), readStdin: async () => extra.stdin ?? "" });
  return done.then((code) => ({ code, ...f }));
};

function db() {
  const d = openDatabase(dbFile);
  migrateDatabase(d);
  return d;
}

describe("flightdeck users", () => {
  it("adds a local user with the password from stdin, audited as the operator, and lists them", async () => {
    const added = await run(["add", "--email", "Olu@Example.com", "--name", "Olu", "--role", "deployer,sre", "--password-stdin"], {
      stdin: "a long enough password\n",
    });
    expect(added.code).toBe(0);
    expect(added.out.join("\n")).toContain("Added Olu <olu@example.com> as deployer, sre.");
    expect(added.out.join("\n")).not.toContain("a long enough password");
    const row = db().raw.select().from(users).where(eq(users.email, "olu@example.com")).get()!;
    await expect(verifyPassword("a long enough password", row.passwordHash!)).resolves.toBe(true);
    expect(db().raw.select().from(events).where(eq(events.type, "user.created")).get()).toMatchObject({ actor: "cli:ops" });

    const listed = await run(["list"]);
    expect(listed.out.find((l) => l.startsWith("olu@example.com"))).toMatch(/Olu\s+deployer,sre\s+active\s+last sign-in never/);
  });

  it("generates a password when none is piped in, and shows it once", async () => {
    const added = await run(["add", "--email", "kim@example.com", "--name", "Kim"]);
    const shown = /Password \(shown once, hand it over in person\): (\S+)/.exec(added.out.join("\n"))?.[1];
    expect(shown).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const row = db().raw.select().from(users).where(eq(users.email, "kim@example.com")).get()!;
    await expect(verifyPassword(shown!, row.passwordHash!)).resolves.toBe(true);
  });

  it("disables a user by email (their sessions end) and enables them again", async () => {
    await run(["add", "--email", "kim@example.com", "--name", "Kim"]);
    const kim = db().raw.select().from(users).where(eq(users.email, "kim@example.com")).get()!;
    const session = await createSession(systemCtxOf(db(), NOW), kim.id);

    const disabled = await run(["disable", "kim@example.com"]);
    expect(disabled.code).toBe(0);
    expect(disabled.out).toEqual(["Disabled kim@example.com: 1 session(s) ended, API tokens stopped."]);
    expect(db().raw.select().from(sessions).where(eq(sessions.id, session.id)).get()?.revokedAt).toBe(NOW);
    expect((await run(["list"])).out.find((l) => l.startsWith("kim@"))).toContain("disabled");

    expect((await run(["enable", kim.id])).out).toEqual([`Enabled ${kim.id}.`]);
    expect(db().raw.select().from(users).where(eq(users.id, kim.id)).get()?.disabledAt).toBeNull();
    expect(
      db()
        .raw.select()
        .from(events)
        .all()
        .filter((e) => e.type === "user.disabled" || e.type === "user.enabled")
        .map((e) => `${e.type} ${e.actor}`),
    ).toEqual(["user.disabled cli:ops", "user.enabled cli:ops"]);
  });

  it("refuses to disable the last active admin, and says who the user is not", async () => {
    await run(["add", "--email", "root@example.com", "--name", "Root", "--role", "admin"]);
    const refused = await run(["disable", "root@example.com"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual(["flightdeck users disable: Root is the last active admin: give another user the admin role before disabling this one."]);
    const unknown = await run(["disable", "nobody@example.com"]);
    expect(unknown.err[0]).toContain('no user with the email or id "nobody@example.com"');
  });

  it("answers bad input with exit 2 naming the field", async () => {
    const bad = await run(["add", "--email", "not-an-email", "--name", "X"]);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toContain('email: expected an email address, got "not-an-email"');
    await expect(run(["remove", "x"])).rejects.toThrow(ArgumentError);
    await expect(run(["disable"])).rejects.toThrow('expected "users disable <email or id>"');
  });
});
