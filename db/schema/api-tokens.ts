import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

/** Tokens for CI and scripts. Only the sha256 of the token is stored; it is shown once at creation. */
export const apiTokens = sqliteTable("api_tokens", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  /** First characters, to recognise a token in lists. */
  prefix: text("prefix").notNull(),
  /** `read`, `deploy`, `rollback`; `write` is the deprecated scope of tokens created before scopes split (deploy + rollback). */
  scope: text("scope").$type<"read" | "deploy" | "rollback" | "write">().notNull(),
  createdBy: text("created_by")
    .notNull()
    .references(() => users.id),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
  /** After this time the token is refused. Tokens from before expiry existed got 90 days from the migration. */
  expiresAt: integer("expires_at"),
});
