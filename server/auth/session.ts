/**
 * The signed-in user of a request, with roles read fresh from the database (a role change applies at once).
 * Returns null when there is no session, or when it expired or was revoked.
 */
import type { Role } from "@/db/schema/role-assignments";

export type SessionUser = { id: string; email: string; name: string; roles: Role[] };

// Implemented in the auth change (next-auth + server-side session rows).
export async function getSessionUser(): Promise<SessionUser | null> {
  return null;
}
