/**
 * What the two credentials providers check. Returning null makes next-auth answer `CredentialsSignin`; a thrown
 * Error's message becomes the `?error=` code the sign-in page explains (see sign-in-errors.ts).
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { seedDemoUsers } from "@/server/services/users-demo";
import { hashPassword, verifyPassword } from "./password";

export type AuthorizedUser = { id: string; name: string; email: string };

// Checking a password for an unknown email costs the same as for a known one, so timing does not tell them apart.
let dummyHash: Promise<string> | undefined;

export async function authorizeLocal(db: Db, credentials: { email?: unknown; password?: unknown } | undefined): Promise<AuthorizedUser | null> {
  const email = typeof credentials?.email === "string" ? credentials.email.trim().toLowerCase() : "";
  const password = typeof credentials?.password === "string" ? credentials.password : "";
  if (!email || !password) return null;
  const user = db.select().from(users).where(eq(users.email, email)).get();
  if (!user || !user.passwordHash) {
    dummyHash ??= hashPassword("no such user");
    await verifyPassword(password, await dummyHash);
    return null;
  }
  const ok = await verifyPassword(password, user.passwordHash);
  // Demo users never have a password; refuse them anyway should one ever be set.
  if (!ok || user.demo || user.disabledAt !== null) return null;
  return { id: user.id, name: user.name, email: user.email };
}

/** One-click sign-in as a seeded demo user; impossible unless the fleet config says `demo: true`. */
export function authorizeDemo(db: Db, opts: { demoMode: boolean; userId: unknown }, now: number): AuthorizedUser | null {
  if (!opts.demoMode) throw new Error("DemoModeOff");
  if (typeof opts.userId !== "string" || !opts.userId) return null;
  seedDemoUsers(db, now); // start-up seeds them too; this keeps a fresh database usable at once
  const user = db
    .select({ id: users.id, name: users.name, email: users.email, disabledAt: users.disabledAt })
    .from(users)
    .where(and(eq(users.id, opts.userId), eq(users.demo, true)))
    .get();
  if (!user || user.disabledAt !== null) return null;
  return { id: user.id, name: user.name, email: user.email };
}
