/**
 * The signed-in user of a request, with roles read fresh from the database (a role change applies at once).
 * Returns null when there is no session, or when it expired or was revoked.
 */
import { cache } from "react";
import { getServerSession } from "next-auth";
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { systemContext } from "@/server/services/context";
import { authOptions } from "./options";
import { resolveSessionUser, type SessionUser } from "./session-store";

export { resolveSessionUser, type SessionUser };

export type SessionState = {
  user: SessionUser | null;
  /** The request carried a session that is no longer valid (expired, revoked, user disabled). */
  expired: boolean;
  /** The session's id while it is valid, for a long-lived answer (a live feed) to check it again later. */
  sid: string | null;
};

/** Once per request in server components (cache); route handlers call it once anyway. */
export const readSession = cache(async (): Promise<SessionState> => {
  const session = await getServerSession(authOptions);
  if (!session?.sid) return { user: null, expired: false, sid: null };
  const user = await resolveSessionUser(systemContext(getDb(), getConfig().config), session.sid);
  // The cookie's user id must be the row's: a cookie is never reused for another user.
  if (user && user.id !== session.uid) return { user: null, expired: true, sid: null };
  return { user, expired: user === null, sid: user ? session.sid : null };
});

export async function getSessionUser(): Promise<SessionUser | null> {
  return (await readSession()).user;
}
