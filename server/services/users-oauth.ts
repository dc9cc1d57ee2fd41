/**
 * Users who sign in through GitHub or OIDC: linked by (provider, provider account id) in `accounts`, created
 * as viewers the first time. An email that already belongs to another user is not taken over: the identity
 * provider may not have verified it, and linking would hand that user's roles to whoever controls the address.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accounts, events, users } from "@/db/schema";
import { conflict } from "./errors";
import { recordRolesChanged, replaceRoles } from "./users-roles";
import { eventValues } from "@/server/engine/machine/events";

export type OAuthIdentity = { provider: string; providerAccountId: string; email?: string | null; name?: string | null };

export function linkOAuthAccount(db: Db, identity: OAuthIdentity, now: number): { userId: string; created: boolean; disabled: boolean } {
  return db.transaction((tx) => {
    const linked = tx
      .select({ userId: users.id, disabledAt: users.disabledAt })
      .from(accounts)
      .innerJoin(users, eq(users.id, accounts.userId))
      .where(and(eq(accounts.provider, identity.provider), eq(accounts.providerAccountId, identity.providerAccountId)))
      .get();
    if (linked) return { userId: linked.userId, created: false, disabled: linked.disabledAt !== null };

    // Providers may hide the address (GitHub's private email); the placeholder keeps users.email unique.
    const email = identity.email?.trim().toLowerCase() || `${identity.providerAccountId}@${identity.provider}.invalid`;
    if (tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()) {
      throw conflict(`${email} already belongs to a Flightdeck user; sign in the way that user signs in`);
    }
    const user = { id: randomUUID(), email, name: identity.name?.trim() || email.split("@")[0] };
    tx.insert(users)
      .values({ ...user, createdAt: now })
      .run();
    tx.insert(accounts)
      .values({ id: randomUUID(), userId: user.id, provider: identity.provider, providerAccountId: identity.providerAccountId, createdAt: now })
      .run();
    tx.insert(events)
      .values(
        eventValues({
          at: now,
          type: "user.created",
          actor: "system",
          message: `${user.name} (${email}) signed in with ${identity.provider} for the first time`,
          data: { userId: user.id, provider: identity.provider },
        }),
      )
      .run();
    replaceRoles(tx, user.id, ["viewer"], "system", now);
    recordRolesChanged(tx, { actor: "system", user, before: [], after: ["viewer"] }, now);
    return { userId: user.id, created: true, disabled: false };
  });
}
