import { describe, expect, it } from "vitest";
import { hashPassword, hashPasswordSync, verifyPassword, verifyPasswordSync } from "./password";

describe("password hashing", () => {
  it("stores scrypt$<salt>$<hash> and accepts the same password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain("correct horse");
    await expect(verifyPassword("correct horse battery staple", stored)).resolves.toBe(true);
  });

  it("refuses a wrong password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    await expect(verifyPassword("correct horse battery stapler", stored)).resolves.toBe(false);
    await expect(verifyPassword("", stored)).resolves.toBe(false);
  });

  it("salts every hash, so the same password gives different stored values", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).not.toBe(b);
    await expect(verifyPassword("same password", a)).resolves.toBe(true);
    await expect(verifyPassword("same password", b)).resolves.toBe(true);
  });

  it("start-up's sync variant writes and reads the same format", async () => {
    const fromSync = hashPasswordSync("bootstrap admin password");
    await expect(verifyPassword("bootstrap admin password", fromSync)).resolves.toBe(true);
    expect(verifyPasswordSync("bootstrap admin password", await hashPassword("bootstrap admin password"))).toBe(true);
    expect(verifyPasswordSync("wrong password", fromSync)).toBe(false);
    expect(verifyPasswordSync("bootstrap admin password", "scrypt$bad")).toBe(false);
  });

  it.each([
    ["nothing stored (OAuth-only user)", null],
    ["an empty string", ""],
    ["another algorithm", "bcrypt$abc$def"],
    ["a truncated hash", "scrypt$c2FsdA$c2hvcnQ"],
    ["a plain-text password", "correct horse battery staple"],
  ])("refuses %s without throwing", async (_label, stored) => {
    await expect(verifyPassword("correct horse battery staple", stored)).resolves.toBe(false);
  });
});
