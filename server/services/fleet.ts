/**
 * Mirrors the fleet config into the database at start: services, regions, and a region state for every
 * service and region (blue live, all traffic on blue, until a rollout says otherwise). Idempotent.
 */
import { createHash } from "node:crypto";
import type { Store } from "@/db/client";
import type { ReleaseManifest } from "@/db/schema/artifacts";
import { ENGINE } from "@/server/actor";
import type { FleetConfig } from "@/server/config/schema";
import { registerArtifactIn } from "./artifacts";
import type { ServiceContext } from "./context";

/** Start-up work (the server, the worker, the simulator, the harnesses): callers pass `systemContext(db, config, clock)`. */
export async function syncFleet(ctx: ServiceContext): Promise<void> {
  const now = ctx.clock.now();
  const { config } = ctx;
  await ctx.db.transaction(async (tx) => {
    for (const s of config.services) await tx.services.upsert({ id: s.id, name: s.name, repository: s.repository ?? null, createdAt: now });
    for (const r of config.regions) {
      await tx.regions.upsert({ id: r.id, name: r.name, environment: r.environment, order: r.order, createdAt: now });
      for (const s of config.services) await tx.regions.ensureState(s.id, r.id, now);
    }
  });
}

/** Regions present in the database but gone from the config are kept (history) but listed here. */
export async function orphanRegions(db: Store, config: FleetConfig): Promise<string[]> {
  const ids = new Set(config.regions.map((r) => r.id));
  return (await db.regions.list()).map((r) => r.id).filter((id) => !ids.has(id));
}

/**
 * The demo releases' manifests, so the demo shows the schema-compatibility gate (docs/policies.md#schema-compatibility)
 * on the approval page, the rollout page and the approval cards: 1.4.2 ships an expand migration, and 1.4.1, live,
 * already declares it is ready for 1.4.2. Expand only, so a start of 1.4.2 passes whatever is live in a region.
 */
const DEMO_MANIFESTS: Readonly<Record<string, ReleaseManifest>> = {
  "1.4.1": { migrations: [], readyFor: "1.4.2" },
  "1.4.2": { migrations: [{ id: "0042_add_orders_currency", class: "expand", description: "add nullable column orders.currency" }], readyFor: null },
};

/**
 * Demo mode only: the demo fleet serves `1.4.1` on blue in every region, and `1.4.2` is registered and ready to
 * roll out, each with its manifest (DEMO_MANIFESTS). Idempotent; never touches a region that already has a live
 * artifact, and a demo database seeded before the manifests keeps its releases as registered (a manifest is
 * immutable like the digest), so it still starts.
 */
export async function seedDemoFleet(ctx: ServiceContext): Promise<void> {
  const now = ctx.clock.now();
  const { config } = ctx;
  // The demo releases are registered by the engine, whoever starts the server (their events say `engine`).
  const engine = { config, actor: ENGINE };
  const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
  await ctx.db.transaction(async (tx) => {
    for (const s of config.services) {
      const release = async (version: string) => {
        const registered = await tx.artifacts.byServiceVersion(s.id, version);
        const input = {
          serviceId: s.id,
          version,
          digest: digestOf(`flightdeck demo ${s.id} ${version}`),
          url: null,
          sourceRef: "refs/heads/main",
          commitSha: createHash("sha1").update(`${s.id} ${version}`).digest("hex"),
          manifest: registered ? undefined : DEMO_MANIFESTS[version],
        };
        return (await registerArtifactIn(tx, engine, input, now)).artifact;
      };
      const live = await release("1.4.1");
      await release("1.4.2");
      await tx.regions.setLiveArtifactWhereNone(s.id, live.id, now);
    }
  });
}
