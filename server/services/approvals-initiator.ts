/**
 * Separation of duties: the person behind a rollout never decides on its gates, whatever role they hold. That
 * person is the user who started it, the creator of the API token that started it, or the person the CI webhook
 * named in its signed `actor` field. approvals.ts enforces it; approvals-pending.ts shows the same sentence.
 *
 * A webhook `actor` is matched generously, on purpose: a false match only sends the approval to someone else.
 * It names a user when it equals their email, or (a name without "@", such as GitHub's `github.actor` login)
 * their display name or the part of their email before "@", all case-insensitive. The name is stored on the
 * rollout even when no user matches, so a user created later is still refused.
 */
import type { Store } from "@/db/client";

export type RolloutBehind = { initiator: string; initiatorUserId: string | null; ciActor: string | null };
type Person = { id: string; name: string; email: string };

/** Whether the name CI sent stands for this user. */
export function ciActorNames(ciActor: string, user: Pick<Person, "name" | "email">): boolean {
  const wanted = ciActor.trim().toLowerCase();
  const email = user.email.toLowerCase();
  if (wanted.includes("@")) return email === wanted;
  return user.name.trim().toLowerCase() === wanted || email.split("@")[0] === wanted;
}

/** The one user a webhook's `actor` names, by email first, else by name or email local part; null if none or several. */
export async function resolveCiActor(db: Store, ciActor: string): Promise<string | null> {
  const matches = await db.users.matchingCiActor(ciActor.trim().toLowerCase(), 2);
  return matches.length === 1 ? matches[0] : null;
}

/** Why this person is behind the rollout ("You started this rollout"), or null when they are not. */
export async function behindRollout(db: Store, rollout: RolloutBehind, reviewer: Person): Promise<string | null> {
  if (rollout.initiatorUserId === reviewer.id) {
    const [kind, id] = splitRef(rollout.initiator);
    if (kind === "token") {
      const token = await db.apiTokens.byId(id);
      return `This rollout was started by your API token "${token?.name ?? id}"`;
    }
    if (kind === "webhook") return `CI named you (${rollout.ciActor ?? reviewer.name}) as the author of this rollout`;
    return "You started this rollout";
  }
  if (rollout.ciActor && ciActorNames(rollout.ciActor, reviewer)) return `CI named you (${rollout.ciActor}) as the author of this rollout`;
  return null;
}

/** The reviewer's name and email, for behindRollout; null for an unknown id. */
export async function reviewerOf(db: Store, userId: string): Promise<Person | null> {
  const user = await db.users.byId(userId);
  return user ? { id: user.id, name: user.name, email: user.email } : null;
}

function splitRef(ref: string): [string, string] {
  const at = ref.indexOf(":");
  return at < 0 ? [ref, ""] : [ref.slice(0, at), ref.slice(at + 1)];
}
