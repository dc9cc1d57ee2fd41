/**
 * Password hashing for local accounts: scrypt from node:crypto, stored as `scrypt$<salt>$<hash>` (base64url).
 * Comparison is constant-time so a wrong password takes as long as a right one.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type BinaryLike } from "node:crypto";

const KEY_LENGTH = 64;
const SALT_BYTES = 16;

function scrypt(password: BinaryLike, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, KEY_LENGTH, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt);
  return `scrypt$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

/** False for a wrong password and for a stored value that is not a hash we wrote (never throws on bad input). */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = stored?.split("$");
  if (!parts || parts.length !== 3 || parts[0] !== "scrypt") return false;
  const salt = Buffer.from(parts[1], "base64url");
  const expected = Buffer.from(parts[2], "base64url");
  if (salt.length === 0 || expected.length !== KEY_LENGTH) return false;
  const actual = await scrypt(password, salt);
  return timingSafeEqual(actual, expected);
}
