import type { Role } from "@/db/schema/role-assignments";
import type { TokenScope } from "@/server/auth/roles";

/**
 * Who is acting: a signed-in user, an API token, a CI webhook delivery, or the engine itself. A token acts with
 * its creator's current roles, limited by its scope; `creatorId` is the person behind it. A webhook carries the
 * person CI named in the body's `actor` (and the user that name matched, if any). A `cli` actor is an operator
 * running `flightdeck users` on the server itself: their authority is access to the server and its database file.
 * The `system` actor is the server acting before anyone is signed in: sign-in bookkeeping, the bootstrap admin, demo users.
 */
export type Actor =
  | { kind: "user"; id: string; name: string; roles: Role[] }
  | { kind: "token"; id: string; name: string; roles: Role[]; scope?: TokenScope; creatorId?: string }
  | { kind: "webhook"; id: string; name: string; roles: Role[]; ciActor?: { name: string; userId: string | null } }
  | { kind: "cli"; id: string; name: string; roles: Role[] }
  | { kind: "engine"; id: "engine"; name: "engine"; roles: Role[] }
  | { kind: "system"; id: "system"; name: "system"; roles: Role[] };

/** The string stored in events and audit rows: `user:<id>`, `token:<id>`, `webhook:<delivery>`, `cli:<login>`, `engine`, `system`. */
export function actorRef(actor: Actor): string {
  return actor.kind === "engine" || actor.kind === "system" ? actor.kind : `${actor.kind}:${actor.id}`;
}

export const ENGINE: Actor = { kind: "engine", id: "engine", name: "engine", roles: ["admin"] };

/** The server itself, before anyone is signed in; it holds no role, so no permission-checked verb lets it through. */
export const SYSTEM: Actor = { kind: "system", id: "system", name: "system", roles: [] };

/** The operator running `flightdeck users` on the server, audited as `cli:<login>`. */
export function cliOperator(login: string): Actor {
  return { kind: "cli", id: login, name: login, roles: ["admin"] };
}
