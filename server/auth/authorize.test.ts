import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Db } from "@/db/client";
import { users } from "@/db/schema";
import { authorizeDemo, authorizeLocal } from "./authorize";
import { hashPassword } from "./password";

const NOW = 1_700_000_000_000;

function freshDb(): Db {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-authorize-")), "test.db"));
  migrateDatabase(db);
  return db;
}

let db: Db;
beforeEach(() => {
  db = freshDb();
});

describe("authorizeDemo", () => {
  it("signs in a seeded demo user in demo mode (seeding a fresh database first)", () => {
    expect(authorizeDemo(db, { demoMode: true, userId: "demo-deployer" }, NOW)).toEqual({
      id: "demo-deployer",
      name: "Dana",
      email: "deployer@demo.flightdeck",
    });
  });

  it("refuses when demo mode is off, even for a real demo user, with the code the sign-in page explains", () => {
    authorizeDemo(db, { demoMode: true, userId: "demo-admin" }, NOW); // the demo users exist
    expect(() => authorizeDemo(db, { demoMode: false, userId: "demo-admin" }, NOW)).toThrow("DemoModeOff");
  });

  it("refuses a user who is not a demo user, an unknown id, a missing id and a disabled demo user", async () => {
    db.insert(users).values({ id: "u_real", email: "real@example.com", name: "Real", passwordHash: await hashPassword("a real password!"), createdAt: NOW }).run();
    expect(authorizeDemo(db, { demoMode: true, userId: "u_real" }, NOW)).toBeNull();
    expect(authorizeDemo(db, { demoMode: true, userId: "demo-nobody" }, NOW)).toBeNull();
    expect(authorizeDemo(db, { demoMode: true, userId: undefined }, NOW)).toBeNull();
    db.update(users).set({ disabledAt: NOW }).where(eq(users.id, "demo-viewer")).run();
    expect(authorizeDemo(db, { demoMode: true, userId: "demo-viewer" }, NOW)).toBeNull();
  });
});

describe("authorizeLocal", () => {
  beforeEach(async () => {
    db.insert(users).values({ id: "u_olu", email: "olu@example.com", name: "Olu", passwordHash: await hashPassword("olu's long password"), createdAt: NOW }).run();
  });

  it("signs in with the right password, whatever the email's case", async () => {
    await expect(authorizeLocal(db, { email: " OLU@example.com ", password: "olu's long password" })).resolves.toEqual({
      id: "u_olu",
      name: "Olu",
      email: "olu@example.com",
    });
  });

  it("refuses a wrong password, an unknown email and missing fields", async () => {
    await expect(authorizeLocal(db, { email: "olu@example.com", password: "olu's long passwore" })).resolves.toBeNull();
    await expect(authorizeLocal(db, { email: "nobody@example.com", password: "olu's long password" })).resolves.toBeNull();
    await expect(authorizeLocal(db, { email: "olu@example.com" })).resolves.toBeNull();
    await expect(authorizeLocal(db, undefined)).resolves.toBeNull();
  });

  it("refuses a disabled user even with the right password", async () => {
    db.update(users).set({ disabledAt: NOW }).where(eq(users.id, "u_olu")).run();
    await expect(authorizeLocal(db, { email: "olu@example.com", password: "olu's long password" })).resolves.toBeNull();
  });

  it("refuses a demo user, should one ever get a password", async () => {
    authorizeDemo(db, { demoMode: true, userId: "demo-admin" }, NOW);
    db.update(users).set({ passwordHash: await hashPassword("demo admin pass") }).where(eq(users.id, "demo-admin")).run();
    await expect(authorizeLocal(db, { email: "admin@demo.flightdeck", password: "demo admin pass" })).resolves.toBeNull();
  });
});
