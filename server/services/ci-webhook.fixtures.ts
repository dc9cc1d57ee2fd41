/**
 * For the webhook and REST tests: point the process's store (getDb) and config (getConfig) at a fresh
 * migrated SQLite file and the demo fleet, and build signed webhook requests. Synchronous, through the
 * store's drizzle handle (`db.raw`), so a test's setup needs no await.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getDb, type SqliteStore, type Store } from "@/db/client";
import { apiTokens, artifacts, events, regionRollouts, regionStates, regions, rollouts, services, stages, webhookDeliveries } from "@/db/schema";
import { setConfig } from "@/server/config";
import type { FleetConfig } from "@/server/config/schema";
import { demoConfig } from "@/server/engine/runner/test-fixtures";
import { signWebhook } from "./webhook-signature";

export const SECRET = "test-webhook-secret-0123456789";
export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;
export const COMMIT = "0123456789abcdef0123456789abcdef01234567";
/** Where a test build came from: protected environments refuse an artifact without its source ref and commit. */
export const BUILT = { sourceRef: "refs/heads/main", commitSha: COMMIT } as const;

export type ProcessFixture = { db: SqliteStore; config: FleetConfig; cleanup: () => void };

/** A fresh database and the demo fleet for this process's route handlers. */
export function freshProcessDatabase(): ProcessFixture {
  const dir = mkdtempSync(path.join(tmpdir(), "fd-ci-"));
  process.env.FLIGHTDECK_DB = path.join(dir, "test.db");
  const global = globalThis as { flightdeckDb?: Store };
  global.flightdeckDb = undefined;
  const config = demoConfig();
  setConfig({ config, file: "demo-fleet.yaml" });
  // getDb opens the embedded SQLite store: its drizzle handle seeds the fleet as syncFleet would.
  const db = getDb() as SqliteStore;
  seedFleet(db, config, Date.now());
  return {
    db,
    config,
    cleanup: () => {
      db.$client.close();
      global.flightdeckDb = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function goodBody(change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service: "api",
    artifact: { version: "1.4.2", digest: DIGEST_A, url: "https://artifacts.example.com/api/1.4.2.tar.gz" },
    ref: "refs/heads/main",
    commit: COMMIT,
    strategy: "sequential",
    regions: ["us-east"],
    ...change,
  };
}

type SignedOptions = { delivery?: string | null; timestamp?: string; secret?: string; signature?: string | null; source?: string; rawBody?: string };

/** A signed POST to the webhook, as CI would send it; every part can be spoiled for a refusal test. */
export function signedRequest(body: unknown, options: SignedOptions = {}): Request {
  const rawBody = options.rawBody ?? JSON.stringify(body);
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-forwarded-for": options.source ?? "10.0.0.1",
    "x-flightdeck-timestamp": timestamp,
  };
  if (options.delivery !== null) headers["x-flightdeck-delivery"] = options.delivery ?? `run-${Math.random().toString(36).slice(2)}`;
  const signature = options.signature === undefined ? signWebhook(options.secret ?? SECRET, timestamp, rawBody) : options.signature;
  if (signature !== null) headers["x-flightdeck-signature"] = signature;
  return new Request("http://localhost/api/webhooks/ci", { method: "POST", headers, body: rawBody });
}

/** The rows syncFleet writes for the config (services, regions, a region state each with blue live), synchronously. */
export function seedFleet(db: SqliteStore, config: FleetConfig, now: number): void {
  const q = db.raw;
  for (const s of config.services)
    q.insert(services)
      .values({ id: s.id, name: s.name, repository: s.repository ?? null, createdAt: now })
      .run();
  for (const r of config.regions) {
    q.insert(regions).values({ id: r.id, name: r.name, environment: r.environment, order: r.order, createdAt: now }).run();
    for (const s of config.services) q.insert(regionStates).values({ serviceId: s.id, regionId: r.id, liveColour: "blue", greenPct: 0, updatedAt: now }).run();
  }
}

/** Rows a refused request must not change. */
export function rowCounts(db: SqliteStore) {
  const q = db.raw;
  return {
    rollouts: q.select().from(rollouts).all().length,
    regionRollouts: q.select().from(regionRollouts).all().length,
    stages: q.select().from(stages).all().length,
    artifacts: q.select().from(artifacts).all().length,
    events: q.select().from(events).all().length,
    deliveries: q.select().from(webhookDeliveries).all().length,
    tokens: q.select().from(apiTokens).all().length,
  };
}
