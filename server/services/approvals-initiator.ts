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
import { eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { apiTokens, users } from "@/db/schema";

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
export function resolveCiActor(db: Db | Tx, ciActor: string): string | null {
  const wanted = ciActor.trim().toLowerCase();
  const email = sql`lower(${users.email})`;
  const condition = wanted.includes("@")
    ? sql`${email} = ${wanted}`
    : sql`lower(trim(${users.name})) = ${wanted} or substr(${email}, 1, instr(${email}, '@') - 1) = ${wanted}`;
  const matches = db.select({ id: users.id }).from(users).where(condition).limit(2).all();
  return matches.length === 1 ? matches[0].id : null;
}

/** Why this person is behind the rollout ("You started this rollout"), or null when they are not. */
export function behindRollout(db: Db | Tx, rollout: RolloutBehind, reviewer: Person): string | null {
  if (rollout.initiatorUserId === reviewer.id) {
    const [kind, id] = splitRef(rollout.initiator);
    if (kind === "token") {
      const token = db.select({ name: apiTokens.name }).from(apiTokens).where(eq(apiTokens.id, id)).get();
      return `This rollout was started by your API token "${token?.name ?? id}"`;
    }
    if (kind === "webhook") return `CI named you (${rollout.ciActor ?? reviewer.name}) as the author of this rollout`;
    return "You started this rollout";
  }
  if (rollout.ciActor && ciActorNames(rollout.ciActor, reviewer)) return `CI named you (${rollout.ciActor}) as the author of this rollout`;
  return null;
}

/** The reviewer's name and email, for behindRollout; null for an unknown id. */
export function reviewerOf(db: Db | Tx, userId: string): Person | null {
  return db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.id, userId)).get() ?? null;
}

function splitRef(ref: string): [string, string] {
  const at = ref.indexOf(":");
  return at < 0 ? [ref, ""] : [ref.slice(0, at), ref.slice(at + 1)];
}
