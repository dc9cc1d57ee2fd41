/**
 * The first admin of a self-hosted Flightdeck: FLIGHTDECK_ADMIN_EMAIL and FLIGHTDECK_ADMIN_PASSWORD create (or
 * repair) a local admin at start-up, so there is someone to sign in and hand out roles.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Env } from "@/server/config/load";
import { hashPasswordSync, MIN_PASSWORD_LENGTH, verifyPasswordSync } from "@/server/auth/password";
import { withinTransaction, type ServiceContext } from "./context";
import { badRequest } from "./errors";
import { canonicalRoles, recordRolesChanged, replaceRoles, storedRoles } from "./users-roles";
import { eventValues } from "@/server/engine/machine/events";

const Email = z.email();

export type BootstrapResult = { status: "skipped" } | { status: "created" | "updated" | "unchanged"; userId: string };

/**
 * Start-up calls it once, before serving (the password is hashed with the sync pair, outside the transaction);
 * throws a 400 ServiceError naming the bad variable.
 */
export async function ensureBootstrapAdmin(ctx: ServiceContext, env: Env): Promise<BootstrapResult> {
  const { db } = ctx;
  const now = ctx.clock.now();
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

  const existing = await db.users.byEmail(email);
  if (existing?.demo) throw badRequest(`FLIGHTDECK_ADMIN_EMAIL: ${email} belongs to a demo user; choose another address`);
  // A new hash only when the stored one does not match already (null: keep it).
  const passwordHash = existing && verifyPasswordSync(password, existing.passwordHash) ? null : hashPasswordSync(password);

  return db.transaction(async (tx) => {
    if (!existing) {
      const user = { id: randomUUID(), email, name: email.split("@")[0] };
      await tx.users.insert({ ...user, passwordHash, createdAt: now });
      await tx.events.insertOne(
        eventValues({ at: now, type: "user.created", actor: "system", message: `Bootstrap admin ${email} created`, data: { userId: user.id } }),
      );
      await replaceRoles(withinTransaction(ctx, tx, now), { userId: user.id, roles: ["admin"], changedBy: "system" });
      await recordRolesChanged(tx, { actor: "system", user, before: [], after: ["admin"] }, now);
      return { status: "created" as const, userId: user.id };
    }
    const before = await storedRoles(tx, existing.id);
    const changes = passwordHash !== null || existing.disabledAt !== null || !before.includes("admin");
    if (passwordHash !== null || existing.disabledAt !== null) {
      await tx.users.update(existing.id, { passwordHash: passwordHash ?? existing.passwordHash, disabledAt: null });
    }
    if (!before.includes("admin")) {
      const after = canonicalRoles([...before, "admin"]);
      await replaceRoles(withinTransaction(ctx, tx, now), { userId: existing.id, roles: after, changedBy: "system" });
      await recordRolesChanged(tx, { actor: "system", user: existing, before: before.length > 0 ? before : ["viewer"], after }, now);
    }
    return { status: changes ? ("updated" as const) : ("unchanged" as const), userId: existing.id };
  });
}
