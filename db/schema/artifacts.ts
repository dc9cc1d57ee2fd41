import { sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./_columns";
import { services } from "./services";

/** How a database migration treats the schema the live release reads (docs/policies.md#schema-compatibility). */
export type MigrationClass = "expand" | "contract" | "none";
/** The release manifest (`flightdeck.json` at the artifact's root, or the same fields given at start): its migrations, and the release it already tolerates. */
export type ReleaseManifest = {
  migrations: Array<{ id: string; class: MigrationClass; description: string }>;
  /** The next release whose contract migrations this one already tolerates (expand/contract). */
  readyFor: string | null;
};

/** An immutable build: one version of a service has exactly one digest (and at most one manifest). */
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
    /** The release manifest as registered (null: none given); immutable like the digest. */
    manifest: text("manifest", { mode: "json" }).$type<ReleaseManifest>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("artifacts_service_version").on(t.serviceId, t.version)],
);
