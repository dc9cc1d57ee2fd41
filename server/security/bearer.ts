/** A shared-secret bearer check in constant time: both sides are hashed first, so lengths leak nothing either. */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Whether `Authorization: Bearer <secret>` carries exactly `expected`. */
export function bearerMatches(authorization: string | null, expected: string): boolean {
  const given = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!given || !expected) return false;
  return timingSafeEqual(digest(given), digest(expected));
}
