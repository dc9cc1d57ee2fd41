import type { Role } from "@/db/schema/role-assignments";

/** Who is acting: a signed-in user, an API token, a CI webhook delivery, or the engine itself. */
export type Actor =
  | { kind: "user"; id: string; name: string; roles: Role[] }
  | { kind: "token"; id: string; name: string; roles: Role[] }
  | { kind: "webhook"; id: string; name: string; roles: Role[] }
  | { kind: "engine"; id: "engine"; name: "engine"; roles: Role[] };

/** The string stored in events and audit rows: `user:<id>`, `token:<id>`, `webhook:<delivery>`, `engine`. */
export function actorRef(actor: Actor): string {
  return actor.kind === "engine" ? "engine" : `${actor.kind}:${actor.id}`;
}

export const ENGINE: Actor = { kind: "engine", id: "engine", name: "engine", roles: ["admin"] };
