/**
 * Disabling and enabling a user. A disabled user's sessions are revoked at once, and the one rule of who may
 * act (server/auth/active-user.ts) stops their API tokens while they stay disabled; enabling brings the tokens
 * back, never the old sessions. The last active admin cannot be disabled, nor can an admin disable themselves.
 */
import { z } from "zod";
import { actorRef } from "@/server/actor";
import { userMayAct } from "@/server/auth/active-user";
import { forbidden, notFound, preconditionFailed } from "./errors";
import { parseInput, type ServiceContext } from "./context";
import { authoriseAdmin } from "./users-admin";
import { countOtherActiveAdmins, storedRoles } from "./users-roles";
import { eventValues } from "@/server/engine/machine/events";

export const SetUserDisabledInput = z.strictObject({
  userId: z.string({ error: "expected a user id" }).min(1, { error: "expected a user id" }),
  disabled: z.boolean({ error: "expected disabled: true or false" }),
});

export type SetUserDisabledResult = { userId: string; disabled: boolean; changed: boolean; sessionsEnded: number };

/** Demo users count as active admins only when the context's config says `demo: true`. */
export async function setUserDisabled(ctx: ServiceContext, input: { userId: unknown; disabled: unknown }): Promise<SetUserDisabledResult> {
  const now = ctx.clock.now();
  authoriseAdmin(ctx.actor);
  const { userId, disabled } = parseInput(SetUserDisabledInput, { userId: input.userId, disabled: input.disabled });
  const demoMode = ctx.config.demo;
  return ctx.db.transaction(async (tx) => {
    // With role changes (users.ts): the last active admin is counted by one transaction at a time.
    await tx.exclusive("admins");
    const user = await tx.users.byId(userId);
    if (!user) throw notFound(`userId: no user with id ${JSON.stringify(userId)}`);
    if ((user.disabledAt !== null) === disabled) return { userId, disabled, changed: false, sessionsEnded: 0 };

    let sessionsEnded = 0;
    if (disabled) {
      if (ctx.actor.kind === "user" && ctx.actor.id === userId) {
        throw forbidden("You cannot disable your own account: ask another admin.");
      }
      if (userMayAct(user, demoMode) && (await storedRoles(tx, userId)).includes("admin") && (await countOtherActiveAdmins(tx, userId, demoMode)) === 0) {
        throw preconditionFailed(`${user.name} is the last active admin: give another user the admin role before disabling this one.`);
      }
      await tx.users.update(userId, { disabledAt: now });
      sessionsEnded = await tx.sessions.revokeAllOfUser(userId, now);
    } else {
      await tx.users.update(userId, { disabledAt: null });
    }
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: disabled ? "user.disabled" : "user.enabled",
        actor: actorRef(ctx.actor),
        message: disabled ? `${user.name} disabled: ${sessionsEnded} session(s) ended, API tokens stopped` : `${user.name} enabled again`,
        data: { userId, sessionsEnded },
      }),
    );
    return { userId, disabled, changed: true, sessionsEnded };
  });
}
