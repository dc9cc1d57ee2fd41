/**
 * Users who sign in through GitHub or OIDC: linked by (provider, provider account id) in `accounts`, created
 * as viewers the first time. An email that already belongs to another user is not taken over: the identity
 * provider may not have verified it, and linking would hand that user's roles to whoever controls the address.
 */
import { randomUUID } from "node:crypto";
import { withinTransaction, type ServiceContext } from "./context";
import { conflict } from "./errors";
import { recordRolesChanged, replaceRoles } from "./users-roles";
import { eventValues } from "@/server/engine/machine/events";

export type OAuthIdentity = { provider: string; providerAccountId: string; email?: string | null; name?: string | null };

export async function linkOAuthAccount(ctx: ServiceContext, identity: OAuthIdentity): Promise<{ userId: string; created: boolean; disabled: boolean }> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const linked = await tx.users.byAccount(identity.provider, identity.providerAccountId);
    if (linked) return { userId: linked.userId, created: false, disabled: linked.disabledAt !== null };

    // Providers may hide the address (GitHub's private email); the placeholder keeps users.email unique.
    const email = identity.email?.trim().toLowerCase() || `${identity.providerAccountId}@${identity.provider}.invalid`;
    if (await tx.users.byEmail(email)) {
      throw conflict(`${email} already belongs to a Flightdeck user; sign in the way that user signs in`);
    }
    const user = { id: randomUUID(), email, name: identity.name?.trim() || email.split("@")[0] };
    await tx.users.insert({ ...user, createdAt: now });
    await tx.users.insertAccount({
      id: randomUUID(),
      userId: user.id,
      provider: identity.provider,
      providerAccountId: identity.providerAccountId,
      createdAt: now,
    });
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: "user.created",
        actor: "system",
        message: `${user.name} (${email}) signed in with ${identity.provider} for the first time`,
        data: { userId: user.id, provider: identity.provider },
      }),
    );
    await replaceRoles(withinTransaction(ctx, tx, now), { userId: user.id, roles: ["viewer"], changedBy: "system" });
    await recordRolesChanged(tx, { actor: "system", user, before: [], after: ["viewer"] }, now);
    return { userId: user.id, created: true, disabled: false };
  });
}
