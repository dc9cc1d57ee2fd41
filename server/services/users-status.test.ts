import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, users } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { createSession, resolveSessionUser } from "@/server/auth/session-store";
import { ServiceError } from "./errors";
import { createLocalUser, listUsers, seedDemoUsers, setUserDisabled, setUserRoles } from "./users";
import { ctxOf } from "./users.fixtures";
import { systemCtxOf } from "./users.fixtures";

const NOW = 1_700_000_000_000;
const ADA: Actor = { kind: "user", id: "demo-admin", name: "Ada", roles: ["admin"] };

async function serviceErrorOf(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError, nothing was thrown");
}

let db: SqliteStore;
let olu: string;
beforeEach(async () => {
  db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-users-status-")), "test.db"));
  migrateDatabase(db);
  await seedDemoUsers(systemCtxOf(db, NOW));
  olu = (await createLocalUser(ctxOf(db, ADA, NOW), { email: "olu@example.com", name: "Olu", password: "a long enough password", roles: ["deployer"] })).userId;
});

describe("setUserDisabled", () => {
  it("disables a user: their live sessions end at once, one audit event names the admin", async () => {
    const session = await createSession(systemCtxOf(db, NOW), olu);
    const result = await setUserDisabled(ctxOf(db, ADA, NOW + 5, true), { userId: olu, disabled: true });
    expect(result).toEqual({ userId: olu, disabled: true, changed: true, sessionsEnded: 1 });
    expect(await resolveSessionUser(systemCtxOf(db, NOW + 6, true), session.id)).toBeNull();
    expect((await listUsers(ctxOf(db, ADA, NOW))).find((u) => u.id === olu)?.disabled).toBe(true);
    const [event] = db.raw.select().from(events).where(eq(events.type, "user.disabled")).all();
    expect(event).toMatchObject({ actor: "user:demo-admin", at: NOW + 5, message: "Olu disabled: 1 session(s) ended, API tokens stopped" });
  });

  it("enables a user again, without reviving their old sessions", async () => {
    const session = await createSession(systemCtxOf(db, NOW), olu);
    await setUserDisabled(ctxOf(db, ADA, NOW + 1, true), { userId: olu, disabled: true });
    expect(await setUserDisabled(ctxOf(db, ADA, NOW + 2, true), { userId: olu, disabled: false })).toMatchObject({ changed: true });
    expect(db.raw.select().from(users).where(eq(users.id, olu)).get()?.disabledAt).toBeNull();
    expect(await resolveSessionUser(systemCtxOf(db, NOW + 3, true), session.id)).toBeNull();
    expect((await resolveSessionUser(systemCtxOf(db, NOW + 4, true), (await createSession(systemCtxOf(db, NOW + 3), olu)).id))?.id).toBe(olu);
    expect(db.raw.select().from(events).where(eq(events.type, "user.enabled")).all()).toHaveLength(1);
  });

  it("writes nothing when the user is already in that state", async () => {
    expect((await setUserDisabled(ctxOf(db, ADA, NOW, true), { userId: olu, disabled: false })).changed).toBe(false);
    expect(db.raw.select().from(events).where(eq(events.type, "user.enabled")).all()).toHaveLength(0);
  });

  it("refuses to disable the last active admin, and allows it once there is another", async () => {
    await setUserRoles(ctxOf(db, ADA, NOW + 1, false), { userId: olu, roles: ["admin"] });
    // With demo mode off, demo-admin does not count: Olu is the last active admin.
    const err = await serviceErrorOf(() => setUserDisabled(ctxOf(db, ADA, NOW + 2, false), { userId: olu, disabled: true }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toBe("Olu is the last active admin: give another user the admin role before disabling this one.");
    // In demo mode demo-admin is an active admin, so Olu may go.
    expect((await setUserDisabled(ctxOf(db, ADA, NOW + 3, true), { userId: olu, disabled: true })).changed).toBe(true);
  });

  it("refuses an admin disabling themselves, anyone without users.manage, and a token", async () => {
    expect((await serviceErrorOf(() => setUserDisabled(ctxOf(db, ADA, NOW, true), { userId: "demo-admin", disabled: true }))).message).toBe(
      "You cannot disable your own account: ask another admin.",
    );
    const sre: Actor = { kind: "user", id: "demo-sre", name: "Sam", roles: ["sre", "deployer", "reviewer"] };
    expect((await serviceErrorOf(() => setUserDisabled(ctxOf(db, sre, NOW, true), { userId: olu, disabled: true }))).code).toBe("FORBIDDEN");
    const token: Actor = { kind: "token", id: "t1", name: "ci", roles: ["admin"] };
    expect((await serviceErrorOf(() => setUserDisabled(ctxOf(db, token, NOW, true), { userId: olu, disabled: true }))).code).toBe("FORBIDDEN");
    expect(db.raw.select().from(users).where(eq(users.id, olu)).get()?.disabledAt).toBeNull();
  });

  it("answers 404 for an unknown user and 400 for a malformed request", async () => {
    expect((await serviceErrorOf(() => setUserDisabled(ctxOf(db, ADA, NOW, true), { userId: "nobody", disabled: true }))).code).toBe("NOT_FOUND");
    const bad = await serviceErrorOf(() => setUserDisabled(ctxOf(db, ADA, NOW, true), { userId: olu, disabled: "yes" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toContain("disabled: expected disabled: true or false");
  });
});

describe("setUserRoles and the one rule", () => {
  it("does not count a demo admin as another admin while demo mode is off", async () => {
    await setUserRoles(ctxOf(db, ADA, NOW + 1, false), { userId: olu, roles: ["admin"] });
    expect((await serviceErrorOf(() => setUserRoles(ctxOf(db, ADA, NOW + 2, false), { userId: olu, roles: ["viewer"] }))).code).toBe("PRECONDITION_FAILED");
    expect((await setUserRoles(ctxOf(db, ADA, NOW + 3, true), { userId: olu, roles: ["viewer"] })).changed).toBe(true);
  });

  it("lets an inactive admin lose the role even when nobody else is an admin", async () => {
    // demo-admin with demo mode off is not an active admin: removing its role takes nothing away.
    expect((await setUserRoles(ctxOf(db, ADA, NOW + 1, false), { userId: "demo-admin", roles: ["viewer"] })).changed).toBe(true);
  });
});
