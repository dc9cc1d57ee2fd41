import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Stop-all freezes declared by a person (the config's freeze windows are not stored: every pass reads them from
 * the config). A row without `liftedAt` is in force: every runner pass of every replica reads it, so every
 * running rollout holds before its next step at once. Kept after the lift, for the audit.
 */
export const freezes = sqliteTable(
  "freezes",
  {
    id: text("id").primaryKey(),
    reason: text("reason").notNull(),
    /** Actor string of who declared it (`user:<id>`, `token:<id>`). */
    declaredBy: text("declared_by").notNull(),
    declaredAt: integer("declared_at").notNull(),
    liftedBy: text("lifted_by"),
    liftedAt: integer("lifted_at"),
  },
  (t) => [index("freezes_lifted").on(t.liftedAt)],
);
