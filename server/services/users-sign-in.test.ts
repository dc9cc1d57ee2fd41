import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, signInFailures, users } from "@/db/schema";
import { resolveSessionUser } from "@/server/auth/session-store";
import { recordSignIn, recordSignInFailure, recordSignOut } from "./users-sign-in";
import { beginSignInAttempt, forgiveSignInAttempt, SIGN_IN_THROTTLE, signInThrottle } from "./users-sign-in-throttle";
import { systemCtxOf } from "./users.fixtures";

const NOW = 1_700_000_000_000;
const MIN = 60_000;
const OLU = { email: "olu@example.com", address: "203.0.113.7" };

let db: SqliteStore;
beforeEach(() => {
  db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-sign-in-")), "test.db"));
  migrateDatabase(db);
  db.raw.insert(users).values({ id: "u_olu", email: "olu@example.com", name: "Olu", createdAt: NOW }).run();
});

const fail = async (who: { email: string; address: string }, at: number) => {
  const attempt = await beginSignInAttempt(systemCtxOf(db, at), who);
  if (!attempt.ok) throw new Error(`throttled at ${at}`);
};

describe("sign-in throttling", () => {
  it("allows 5 failures per account in 15 minutes, then says how long to wait", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.perAccount; i++) await fail(OLU, NOW + i * MIN);
    const refused = await beginSignInAttempt(systemCtxOf(db, NOW + 5 * MIN), OLU);
    // The oldest of the five (at NOW) leaves the window at NOW + 15 min: 10 minutes from now.
    expect(refused).toEqual({ ok: false, throttled: { scope: "account", waitMs: 10 * MIN } });
    expect((await beginSignInAttempt(systemCtxOf(db, NOW + 15 * MIN), OLU)).ok).toBe(true);
  });

  it("counts the account whatever the email's case, and from any address", async () => {
    for (let i = 0; i < 5; i++) await fail({ email: i % 2 ? "OLU@example.com" : "olu@example.com", address: `198.51.100.${i}` }, NOW);
    expect(await signInThrottle(systemCtxOf(db, NOW + 1), { email: "Olu@Example.com", address: "192.0.2.1" })).toMatchObject({ scope: "account" });
  });

  it("allows 20 failures per address across accounts, then throttles the address", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.perAddress; i++) await fail({ email: `user${i}@example.com`, address: "198.51.100.9" }, NOW + i);
    expect(await beginSignInAttempt(systemCtxOf(db, NOW + 100), { email: "fresh@example.com", address: "198.51.100.9" })).toEqual({
      ok: false,
      throttled: { scope: "address", waitMs: SIGN_IN_THROTTLE.windowMs - 100 },
    });
    expect((await beginSignInAttempt(systemCtxOf(db, NOW + 100), { email: "fresh@example.com", address: "198.51.100.10" })).ok).toBe(true);
  });

  it("counts an attempt before the password is checked, so a parallel burst cannot slip under the limit", async () => {
    const burst = await Promise.all(Array.from({ length: 12 }, () => beginSignInAttempt(systemCtxOf(db, NOW), OLU)));
    expect(burst.filter((a) => a.ok)).toHaveLength(5);
  });

  it("forgives the account's failures after a successful sign-in, but not the address's", async () => {
    for (let i = 0; i < 4; i++) await fail(OLU, NOW);
    const good = await beginSignInAttempt(systemCtxOf(db, NOW + 1), OLU);
    if (!good.ok) throw new Error("unexpected throttle");
    await forgiveSignInAttempt(systemCtxOf(db, NOW + 1), { ...OLU, rowIds: good.rowIds });
    expect(
      db.raw
        .select()
        .from(signInFailures)
        .all()
        .map((r) => r.key),
    ).toEqual(Array(4).fill("address:203.0.113.7"));
  });

  it("does not throttle an address the server could not tell, which would be everyone", async () => {
    for (let i = 0; i < 25; i++) await fail({ email: `user${i}@example.com`, address: "unknown" }, NOW);
    expect(await signInThrottle(systemCtxOf(db, NOW), { email: "fresh@example.com", address: "unknown" })).toBeNull();
  });

  it("keeps at most one window of rows", async () => {
    await fail(OLU, NOW);
    await fail({ ...OLU, email: "b@example.com" }, NOW + SIGN_IN_THROTTLE.windowMs + 1);
    expect(
      db.raw
        .select()
        .from(signInFailures)
        .all()
        .every((r) => r.at === NOW + SIGN_IN_THROTTLE.windowMs + 1),
    ).toBe(true);
  });
});

describe("the sign-in audit trail", () => {
  it("records a sign-in with its session and the user's last sign-in time", async () => {
    const { sessionId } = await recordSignIn(systemCtxOf(db, NOW), { userId: "u_olu", provider: "github", address: "203.0.113.7" });
    expect((await resolveSessionUser(systemCtxOf(db, NOW + 1, false), sessionId))?.id).toBe("u_olu");
    expect(db.raw.select().from(users).where(eq(users.id, "u_olu")).get()?.lastSignInAt).toBe(NOW);
    expect(db.raw.select().from(events).where(eq(events.type, "user.signed_in")).get()).toMatchObject({
      actor: "user:u_olu",
      message: "Olu signed in with GitHub",
      data: { userId: "u_olu", provider: "github", address: "203.0.113.7" },
    });
  });

  it("records a sign-out once, and revokes the session", async () => {
    const { sessionId } = await recordSignIn(systemCtxOf(db, NOW), { userId: "u_olu", provider: "local", address: "a" });
    expect(await recordSignOut(systemCtxOf(db, NOW + 1), { sessionId, address: "a" })).toBe(true);
    expect(await recordSignOut(systemCtxOf(db, NOW + 2), { sessionId, address: "a" })).toBe(false);
    expect(await resolveSessionUser(systemCtxOf(db, NOW + 3, false), sessionId)).toBeNull();
    expect(
      db.raw
        .select()
        .from(events)
        .where(eq(events.type, "user.signed_out"))
        .all()
        .map((e) => e.message),
    ).toEqual(["Olu signed out"]);
  });

  it("records a refused sign-in as anonymous, with the reason in words", async () => {
    await recordSignInFailure(systemCtxOf(db, NOW), { provider: "github", reason: "not-allowed", address: "a", login: "mallory", email: "m@evil.example" });
    expect(db.raw.select().from(events).where(eq(events.type, "user.sign_in_failed")).get()).toMatchObject({
      actor: "anonymous",
      message: "Sign-in with GitHub as mallory refused: not in an allowed organisation, team or email domain",
      data: { provider: "github", reason: "not-allowed", login: "mallory", email: "m@evil.example" },
    });
  });

  it("never puts the address typed into the message (it may be a password typed in the wrong field)", async () => {
    await recordSignInFailure(systemCtxOf(db, NOW), { provider: "local", reason: "unknown-account", address: "a", email: "hunter2-my-password" });
    await recordSignInFailure(systemCtxOf(db, NOW), { provider: "local", reason: "wrong-password", address: "a", email: "olu@example.com", userId: "u_olu" });
    const messages = db.raw
      .select()
      .from(events)
      .where(eq(events.type, "user.sign_in_failed"))
      .all()
      .map((e) => e.message);
    expect(messages).toEqual([
      "Sign-in with email and password as an unknown account refused: no such account",
      "Sign-in with email and password as Olu refused: wrong password",
    ]);
  });
});
