/**
 * Who may manage users: an admin acting through the dashboard (a signed-in person with users.manage), or an
 * operator running `flightdeck users` on the server itself (a `cli` actor). The operator's authority is access
 * to the server and its database file, like the bootstrap admin's; the audit log names them `cli:<os user>`.
 */
import type { Actor } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { forbidden } from "./errors";

/** Refuses unless the actor may manage users (the operator on the server always may). */
export function authoriseAdmin(admin: Actor): void {
  if (admin.kind === "cli") return;
  if (admin.kind === "token" || admin.kind === "webhook")
    throw forbidden("Users are managed by an admin signed in as a person, or with flightdeck users on the server.");
  if (!can(admin.roles, "users.manage")) {
    throw forbidden(`Your role (${admin.roles.join(", ") || "none"}) does not allow users.manage.`);
  }
}
