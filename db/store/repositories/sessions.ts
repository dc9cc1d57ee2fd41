/** Sign-in sessions: the cookie carries only a row id, so a session can expire or be revoked here. */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { sessions } from "../../schema";
import type { Query, Tables } from "../query";

export type SessionRow = typeof sessions.$inferSelect;

export function sessionRepository(q: Query, t: Tables) {
  const { sessions, users } = t;
  return {
    // --- sessions (users area) ---
    async insert(row: typeof sessions.$inferInsert): Promise<void> {
      await q.insert(sessions).values(row);
    },

    /** Revokes the session unless it is revoked already (the first time is kept). */
    async revoke(id: string, now: number): Promise<void> {
      await q
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
    },

    /** Revokes every session of the user not revoked yet; returns how many. */
    async revokeAllOfUser(userId: string, now: number): Promise<number> {
      const rows = await q
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length;
    },

    /** A session with the user behind it, whatever its state (the caller decides whether it is valid). */
    async withUser(
      id: string,
    ): Promise<{ expiresAt: number; revokedAt: number | null; id: string; email: string; name: string; disabledAt: number | null; demo: boolean } | undefined> {
      const [row] = await q
        .select({
          expiresAt: sessions.expiresAt,
          revokedAt: sessions.revokedAt,
          id: users.id,
          email: users.email,
          name: users.name,
          disabledAt: users.disabledAt,
          demo: users.demo,
        })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, id))
        .limit(1);
      return row;
    },

    /** The user of a session that is neither revoked nor expired at `now`. */
    async liveUser(id: string, now: number): Promise<{ userId: string; name: string } | undefined> {
      const [row] = await q
        .select({ userId: sessions.userId, name: users.name })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
        .limit(1);
      return row;
    },
  };
}
