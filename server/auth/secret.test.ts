import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { authSecret, authSecretFile, readOrCreateSecret } from "./secret";

const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

describe("the auth secret", () => {
  it("lives next to the database file", () => {
    expect(authSecretFile(env({ FLIGHTDECK_DB: "/srv/flightdeck/db/main.db" }))).toBe("/srv/flightdeck/db/auth-secret");
    expect(authSecretFile(env({}))).toBe(path.join(process.cwd(), "data/auth-secret"));
  });

  it("is the demo's own beside data/demo.db, so a demo session cookie is not signed with the real fleet's key", () => {
    expect(authSecretFile(env({ FLIGHTDECK_DB: "/srv/flightdeck/data/demo.db" }))).toBe("/srv/flightdeck/data/demo.auth-secret");
    expect(authSecretFile(env({ FLIGHTDECK_DB: "/srv/flightdeck/data/flightdeck.db" }))).toBe("/srv/flightdeck/data/auth-secret");
  });

  it("is generated once, readable only by the owner, and the same on the next start", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "fd-secret-")), "nested", "auth-secret");
    const first = readOrCreateSecret(file);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateSecret(file)).toBe(first);
  });

  it("must be given on PostgreSQL, where replicas share sessions, and says so", () => {
    const url = "postgres://flightdeck@127.0.0.1:5432/flightdeck";
    expect(() => authSecret(env({ FLIGHTDECK_DATABASE_URL: url }))).toThrow(/NEXTAUTH_SECRET is not set.*same value on every replica/);
    expect(authSecret(env({ FLIGHTDECK_DATABASE_URL: url, NEXTAUTH_SECRET: "s".repeat(32) }))).toBe("s".repeat(32));
  });
});
