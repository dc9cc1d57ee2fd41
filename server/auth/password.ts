/**
 * Password hashing for local accounts: scrypt from node:crypto, stored as `scrypt$<salt>$<hash>` (base64url).
 * Comparison is constant-time so a wrong password takes as long as a right one. The async pair serves
 * requests; the sync pair serves start-up (the bootstrap admin), where blocking once for ~50 ms is fine.
 */
import { randomBytes, scrypt as scryptCallback, scryptSync, timingSafeEqual } from "node:crypto";

/** Local accounts and the bootstrap admin need at least this many characters. */
export const MIN_PASSWORD_LENGTH = 12;

const KEY_LENGTH = 64;
const SALT_BYTES = 16;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, KEY_LENGTH, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const format = (salt: Buffer, hash: Buffer) => `scrypt$${salt.toString("base64url")}$${hash.toString("base64url")}`;

/** The salt and hash of a value we wrote, or null for anything else (never throws on bad input). */
function parse(stored: string | null | undefined): { salt: Buffer; expected: Buffer } | null {
  const parts = stored?.split("$");
  if (!parts || parts.length !== 3 || parts[0] !== "scrypt") return null;
  const salt = Buffer.from(parts[1], "base64url");
  const expected = Buffer.from(parts[2], "base64url");
  return salt.length > 0 && expected.length === KEY_LENGTH ? { salt, expected } : null;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return format(salt, await scryptAsync(password, salt));
}

/** False for a wrong password and for a stored value that is not a hash we wrote. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parsed = parse(stored);
  return parsed !== null && timingSafeEqual(await scryptAsync(password, parsed.salt), parsed.expected);
}

export function hashPasswordSync(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  return format(salt, scryptSync(password, salt, KEY_LENGTH));
}

export function verifyPasswordSync(password: string, stored: string | null | undefined): boolean {
  const parsed = parse(stored);
  return parsed !== null && timingSafeEqual(scryptSync(password, parsed.salt, KEY_LENGTH), parsed.expected);
}
