import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Token buckets of the rate limits (the CI webhook's, one per source), in the database so that every replica
 * takes from the same bucket: the limit holds for the installation, not per process. No row means a full bucket.
 */
export const rateBuckets = sqliteTable("rate_buckets", {
  key: text("key").primaryKey(),
  tokens: real("tokens").notNull(),
  /** When `tokens` was last computed (unix ms). */
  at: integer("at").notNull(),
});
