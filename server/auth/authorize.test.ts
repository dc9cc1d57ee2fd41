import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, users } from "@/db/schema";
import { authorizeDemo, authorizeLocal } from "./authorize";
import { hashPassword } from "./password";
import { systemCtxOf } from "@/server/services/users.fixtures";

const NOW = 1_700_000_000_000;
const ADDR = "203.0.113.7";

const failures = () =>
  db.raw
    .select()
    .from(events)
    .where(eq(events.type, "user.sign_in_failed"))
    .all()
    .map((e) => (e.data as { reason: string }).reason);

function freshDb(): SqliteStore {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-authorize-")), "test.db"));
  migrateDatabase(db);
  return db;
}

let db: SqliteStore;
beforeEach(() => {
  db = freshDb();
});

describe("authorizeDemo", () => {
  it("signs in a seeded demo user in demo mode (seeding a fresh database first)", async () => {
    expect(await authorizeDemo(systemCtxOf(db, NOW, true), { address: ADDR, userId: "demo-deployer" })).toEqual({
      id: "demo-deployer",
      name: "Dana",
      email: "deployer@demo.flightdeck",
    });
  });

  it("refuses when demo mode is off, even for a real demo user, with the code the sign-in page explains", async () => {
    await authorizeDemo(systemCtxOf(db, NOW, true), { address: ADDR, userId: "demo-admin" }); // the demo users exist
    await expect(authorizeDemo(systemCtxOf(db, NOW, false), { address: ADDR, userId: "demo-admin" })).rejects.toThrow("DemoModeOff");
    expect(failures()).toEqual(["demo-mode-off"]);
  });

  it("refuses a user who is not a demo user, an unknown id, a missing id and a disabled demo user", async () => {
    db.raw
      .insert(users)
      .values({ id: "u_real", email: "real@example.com", name: "Real", passwordHash: await hashPassword("a real password!"), createdAt: NOW })
      .run();
    expect(await authorizeDemo(systemCtxOf(db, NOW, true), { address: ADDR, userId: "u_real" })).toBeNull();
    expect(await authorizeDemo(systemCtxOf(db, NOW, true), { address: ADDR, userId: "demo-nobody" })).toBeNull();
    expect(await authorizeDemo(systemCtxOf(db, NOW, true), { address: ADDR, userId: undefined })).toBeNull();
    db.raw.update(users).set({ disabledAt: NOW }).where(eq(users.id, "demo-viewer")).run();
    expect(await authorizeDemo(systemCtxOf(db, NOW, true), { address: ADDR, userId: "demo-viewer" })).toBeNull();
  });
});

describe("authorizeLocal", () => {
  beforeEach(async () => {
    db.raw
      .insert(users)
      .values({ id: "u_olu", email: "olu@example.com", name: "Olu", passwordHash: await hashPassword("olu's long password"), createdAt: NOW })
      .run();
  });

  it("signs in with the right password, whatever the email's case", async () => {
    await expect(authorizeLocal(systemCtxOf(db, NOW, false), { email: " OLU@example.com ", password: "olu's long password" }, ADDR)).resolves.toEqual({
      id: "u_olu",
      name: "Olu",
      email: "olu@example.com",
    });
  });

  it("refuses a wrong password, an unknown email and missing fields", async () => {
    await expect(authorizeLocal(systemCtxOf(db, NOW, false), { email: "olu@example.com", password: "olu's long passwore" }, ADDR)).resolves.toBeNull();
    await expect(authorizeLocal(systemCtxOf(db, NOW, false), { email: "nobody@example.com", password: "olu's long password" }, ADDR)).resolves.toBeNull();
    await expect(authorizeLocal(systemCtxOf(db, NOW, false), { email: "olu@example.com" }, ADDR)).resolves.toBeNull();
    await expect(authorizeLocal(systemCtxOf(db, NOW, false), undefined, ADDR)).resolves.toBeNull();
    expect(failures()).toEqual(["wrong-password", "unknown-account"]);
  });

  it("records a failed sign-in with the address and the email tried, never the password", async () => {
    await authorizeLocal(systemCtxOf(db, NOW, false), { email: "olu@example.com", password: "olu's long passwore" }, ADDR);
    const [event] = db.raw.select().from(events).where(eq(events.type, "user.sign_in_failed")).all();
    expect(event).toMatchObject({
      actor: "anonymous",
      data: { provider: "local", reason: "wrong-password", address: ADDR, email: "olu@example.com", userId: "u_olu" },
    });
    expect(JSON.stringify(event)).not.toContain("passwore");
  });

  it("refuses a disabled user even with the right password", async () => {
    db.raw.update(users).set({ disabledAt: NOW }).where(eq(users.id, "u_olu")).run();
    await expect(authorizeLocal(systemCtxOf(db, NOW, false), { email: "olu@example.com", password: "olu's long password" }, ADDR)).resolves.toBeNull();
    expect(failures()).toEqual(["disabled"]);
  });

  it("refuses a demo user, should one ever get a password", async () => {
    await authorizeDemo(systemCtxOf(db, NOW, true), { address: ADDR, userId: "demo-admin" });
    db.raw
      .update(users)
      .set({ passwordHash: await hashPassword("demo admin pass") })
      .where(eq(users.id, "demo-admin"))
      .run();
    await expect(authorizeLocal(systemCtxOf(db, NOW, false), { email: "admin@demo.flightdeck", password: "demo admin pass" }, ADDR)).resolves.toBeNull();
    await expect(authorizeLocal(systemCtxOf(db, NOW, true), { email: "admin@demo.flightdeck", password: "demo admin pass" }, ADDR)).resolves.toBeNull();
    expect(failures()).toEqual(["demo-mode-off", "demo-mode-off"]);
  });
});
