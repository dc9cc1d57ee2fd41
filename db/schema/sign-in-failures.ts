import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Failed local sign-ins, one row per failure and per key (`account:<email>`, `address:<ip>`), for throttling.
 * Plain rows in the shared database, so every replica sees the same count. Rows older than the window are
 * deleted as new ones arrive; a successful sign-in clears its account's rows. The audit trail is the events log.
 */
export const signInFailures = sqliteTable(
  "sign_in_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("sign_in_failures_key").on(t.key, t.at), index("sign_in_failures_at").on(t.at)],
);
