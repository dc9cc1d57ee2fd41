/**
 * The first admin of a self-hosted Flightdeck: FLIGHTDECK_ADMIN_EMAIL and FLIGHTDECK_ADMIN_PASSWORD create (or
 * repair) a local admin at start-up, so there is someone to sign in and hand out roles.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { Env } from "@/server/config/load";
import { events, users } from "@/db/schema";
import { hashPasswordSync, MIN_PASSWORD_LENGTH, verifyPasswordSync } from "@/server/auth/password";
import { badRequest } from "./errors";
import { canonicalRoles, recordRolesChanged, replaceRoles, storedRoles } from "./users-roles";
import { eventValues } from "@/server/engine/machine/events";

const Email = z.email();

export type BootstrapResult = { status: "skipped" } | { status: "created" | "updated" | "unchanged"; userId: string };

/** Synchronous (start-up calls it once, before serving); throws a 400 ServiceError naming the bad variable. */
export function ensureBootstrapAdmin(db: Db, env: Env, now: number): BootstrapResult {
  const email = env.FLIGHTDECK_ADMIN_EMAIL?.trim().toLowerCase();
  const password = env.FLIGHTDECK_ADMIN_PASSWORD;
  if (!email && !password) return { status: "skipped" };
  if (!email || !password) {
    const missing = email ? "FLIGHTDECK_ADMIN_PASSWORD" : "FLIGHTDECK_ADMIN_EMAIL";
    throw badRequest(`${missing} is not set: set both FLIGHTDECK_ADMIN_EMAIL and FLIGHTDECK_ADMIN_PASSWORD, or neither`);
  }
  if (!Email.safeParse(email).success) throw badRequest(`FLIGHTDECK_ADMIN_EMAIL: expected an email address, got ${JSON.stringify(email)}`);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw badRequest(`FLIGHTDECK_ADMIN_PASSWORD: a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }

  const existing = db.select().from(users).where(eq(users.email, email)).get();
  if (existing?.demo) throw badRequest(`FLIGHTDECK_ADMIN_EMAIL: ${email} belongs to a demo user; choose another address`);
  // A new hash only when the stored one does not match already (null: keep it).
  const passwordHash = existing && verifyPasswordSync(password, existing.passwordHash) ? null : hashPasswordSync(password);

  return db.transaction((tx) => {
    if (!existing) {
      const user = { id: randomUUID(), email, name: email.split("@")[0] };
      tx.insert(users)
        .values({ ...user, passwordHash, createdAt: now })
        .run();
      tx.insert(events)
        .values(eventValues({ at: now, type: "user.created", actor: "system", message: `Bootstrap admin ${email} created`, data: { userId: user.id } }))
        .run();
      replaceRoles(tx, user.id, ["admin"], "system", now);
      recordRolesChanged(tx, { actor: "system", user, before: [], after: ["admin"] }, now);
      return { status: "created" as const, userId: user.id };
    }
    const before = storedRoles(tx, existing.id);
    const changes = passwordHash !== null || existing.disabledAt !== null || !before.includes("admin");
    if (passwordHash !== null || existing.disabledAt !== null) {
      tx.update(users)
        .set({ passwordHash: passwordHash ?? existing.passwordHash, disabledAt: null })
        .where(eq(users.id, existing.id))
        .run();
    }
    if (!before.includes("admin")) {
      const after = canonicalRoles([...before, "admin"]);
      replaceRoles(tx, existing.id, after, "system", now);
      recordRolesChanged(tx, { actor: "system", user: existing, before: before.length > 0 ? before : ["viewer"], after }, now);
    }
    return { status: changes ? ("updated" as const) : ("unchanged" as const), userId: existing.id };
  });
}
