/**
 * For tests run on both dialects: a fresh migrated store per test, SQLite in memory and a new PostgreSQL database
 * on the run's server (lab/test-postgres.ts), and raw SQL through the store's own connection.
 */
import { testDatabaseUrl } from "../../lab/test-postgres";
import { migrateStore, openStore, type PgStore, type SqliteStore, type Store } from "../client";

export type AnyStore = SqliteStore | PgStore;

export const DIALECTS = [
  { dialect: "SQLite", open: async () => openStore(":memory:") },
  { dialect: "PostgreSQL", open: async () => openStore(await testDatabaseUrl()) },
] as const;

export async function freshStore(open: () => Promise<AnyStore>): Promise<AnyStore> {
  const store = await open();
  await migrateStore(store);
  return store;
}

/** Runs one SQL statement as written, outside the repositories (what a person at a SQL prompt could do). */
export async function rawSql(store: AnyStore, text: string): Promise<void> {
  if (store.dialect === "sqlite") (store as SqliteStore).$client.exec(text);
  else await (store as PgStore).raw.$client.query(text);
}

/** The rows of one SQL query as written, outside the repositories (for assertions on what is stored). */
export async function rawRows<T extends Record<string, unknown>>(store: AnyStore, text: string): Promise<T[]> {
  if (store.dialect === "sqlite") return (store as SqliteStore).$client.prepare(text).all() as T[];
  return (await (store as PgStore).raw.$client.query(text)).rows as T[];
}

export const NOW = 1_700_000_000_000;
const DIGEST = `sha256:${"a".repeat(64)}`;

/** A service in two regions, an artifact, and one rollout with a region rollout per region (three stages each). */
export async function seedRollout(db: Store, rolloutId = "ro_1", createdAt = NOW) {
  await db.services.upsert({ id: "api", name: "API", createdAt: NOW });
  for (const [i, region] of ["us-east", "eu-west"].entries()) {
    await db.regions.upsert({ id: region, name: region, environment: `production-${region}`, order: i, createdAt: NOW });
    await db.regions.ensureState("api", region, NOW);
  }
  await db.artifacts.insertIfAbsent({ id: "ar_1", serviceId: "api", version: "1.0.0", digest: DIGEST, createdAt: NOW });
  await db.rollouts.insert({
    id: rolloutId,
    serviceId: "api",
    artifactId: "ar_1",
    strategy: "sequential",
    initiator: "system",
    correlationId: `c_${rolloutId}`,
    createdAt,
  });
  for (const [position, region] of ["us-east", "eu-west"].entries()) {
    const id = `rr_${rolloutId}_${region}`;
    await db.regionRollouts.insert({ id, rolloutId, regionId: region, position, fromColour: "blue", toColour: "green", updatedAt: NOW });
    await db.stages.insertMany(
      [10, 50, 100].map((percent, index) => ({
        id: `st_${id}_${index}`,
        regionRolloutId: id,
        index,
        percent,
        maxErrorRatePct: 1,
        maxLatencyP95Ms: 500,
        durationMs: 300_000,
      })),
    );
  }
}
