import { defineConfig } from "drizzle-kit";

/** PostgreSQL: the same tables as drizzle.config.ts, translated by db/pg/schema.ts; migrations in db/pg/migrations. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/pg/schema.ts",
  out: "./db/pg/migrations",
});
