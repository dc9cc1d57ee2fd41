/**
 * People and things by name, resolved when read. Events, rollouts and reasons store who acted as a reference
 * (`user:<id>`, `token:<id>`, `webhook:<delivery>`, `cli:<login>`, `engine`): ids survive renames and stay exact
 * in the JSON APIs. A reader sees "Sam", "token ci-lab (created by Ada)", "CI (octocat)"; the reference stays in
 * tooltips. Stored rows are never rewritten: the same event reads with the person's current name.
 */
import type { Store } from "@/db/client";

/** A reference inside prose ("paused by user:1c71dd24-…."): the kind, a colon, and an id that does not end in punctuation. */
const REF = /\b(?:user|token|webhook|cli):[A-Za-z0-9](?:[A-Za-z0-9._@+-]*[A-Za-z0-9])?/g;

export type ActorNames = ReadonlyMap<string, string>;

/** Every actor reference found in these texts (whole references like `engine` are taken as they are). */
export function actorRefsIn(texts: Iterable<string | null | undefined>): Set<string> {
  const refs = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const m of text.matchAll(REF)) refs.add(m[0]);
  }
  return refs;
}

/** The name of each reference, read from the users, tokens and CI deliveries (one lookup per distinct reference). */
export async function resolveActorNames(db: Store, refs: Iterable<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const userName = async (id: string) => {
    const ref = `user:${id}`;
    if (!names.has(ref)) names.set(ref, (await db.users.byId(id))?.name || id);
    return names.get(ref)!;
  };
  for (const ref of refs) {
    if (names.has(ref)) continue;
    const colon = ref.indexOf(":");
    const kind = colon < 0 ? ref : ref.slice(0, colon);
    const id = ref.slice(colon + 1);
    if (kind === "user") await userName(id);
    else if (kind === "token") {
      const token = await db.apiTokens.byId(id);
      names.set(ref, token ? `token ${token.name} (created by ${await userName(token.createdBy)})` : `a deleted token`);
    } else if (kind === "webhook") {
      const delivery = await db.webhookDeliveries.byId(id);
      const rollout = delivery?.rolloutId ? await db.rollouts.byId(delivery.rolloutId) : undefined;
      names.set(ref, rollout?.ciActor ? `CI (${rollout.ciActor})` : "CI");
    } else if (kind === "cli") names.set(ref, `${id} (server CLI)`);
  }
  return names;
}

/** A reference as a reader says it: its name when resolved, else the reference itself ("engine", "system"). */
export function actorName(ref: string, names: ActorNames): string {
  return names.get(ref) ?? ref;
}

/** The text with every resolved reference replaced by its name: "paused by user:1c71…" → "paused by Sam". */
export function withActorNames<T extends string | null>(text: T, names: ActorNames): T {
  return (text === null ? null : text.replace(REF, (ref) => names.get(ref) ?? ref)) as T;
}

/** Resolve and apply in one step, for a reader with a few texts: the names, to pass on to withActorNames and actorName. */
export async function namesFor(db: Store, refs: Iterable<string | null | undefined>, texts: Iterable<string | null | undefined> = []): Promise<ActorNames> {
  return resolveActorNames(db, actorRefsIn([...refs, ...texts]));
}
