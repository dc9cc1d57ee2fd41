/** API tokens (hashes only). */
import { and, desc, eq, isNull } from "drizzle-orm";
import type { apiTokens } from "../../schema";
import type { Query, Tables } from "../query";

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export function apiTokenRepository(q: Query, t: Tables) {
  const { apiTokens, users } = t;
  return {
    // --- API tokens (users area) ---
    async insert(row: typeof apiTokens.$inferInsert): Promise<void> {
      await q.insert(apiTokens).values(row);
    },

    async byId(id: string): Promise<ApiTokenRow | undefined> {
      const [row] = await q.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
      return row;
    },

    /** Revokes the token unless it is revoked already; the revoked row, or undefined when nothing changed. */
    async revoke(id: string, now: number): Promise<ApiTokenRow | undefined> {
      const [row] = await q
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning();
      return row;
    },

    async listNewestFirst(): Promise<ApiTokenRow[]> {
      return q.select().from(apiTokens).orderBy(desc(apiTokens.createdAt));
    },

    /** The token with this hash and what decides whether its creator may still act. */
    async byHashWithCreator(
      tokenHash: string,
    ): Promise<{ token: ApiTokenRow; creator: { name: string; disabledAt: number | null; demo: boolean } } | undefined> {
      const [row] = await q
        .select({ token: apiTokens, creator: { name: users.name, disabledAt: users.disabledAt, demo: users.demo } })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.createdBy))
        .where(eq(apiTokens.tokenHash, tokenHash))
        .limit(1);
      return row;
    },

    async touch(id: string, now: number): Promise<void> {
      await q.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id));
    },
  };
}
