import { sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./_columns";
import { services } from "./services";

/** An immutable build: one version of a service has exactly one digest. */
export const artifacts = sqliteTable(
  "artifacts",
  {
    id: text("id").primaryKey(),
    serviceId: text("service_id")
      .notNull()
      .references(() => services.id),
    version: text("version").notNull(),
    /** `sha256:<64 hex>`, verified on every host before traffic moves to it. */
    digest: text("digest").notNull(),
    url: text("url"),
    sourceRef: text("source_ref"),
    commitSha: text("commit_sha"),
    /** Where ref and commit came from: the signed CI webhook, or a person (dashboard, REST, CLI). */
    provenance: text("provenance").$type<"webhook" | "manual">().notNull().default("manual"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("artifacts_service_version").on(t.serviceId, t.version)],
);
