/**
 * Artifacts are immutable: one version of a service has exactly one digest, for ever. Registering the same
 * version and digest again is a no-op; another digest for a registered version is refused.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { artifacts, events } from "@/db/schema";
import { actorRef } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { parseInput, type ServiceContext } from "./context";
import { conflict, forbidden, notFound } from "./errors";

export const ArtifactFields = z.strictObject({
  version: z.string().min(1).max(128),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: (i) => `expected sha256: followed by 64 lowercase hex digits, got ${JSON.stringify(i.input)}` }),
  url: z.url().nullish(),
  sourceRef: z.string().min(1).max(256).nullish(),
  commitSha: z.string().regex(/^[0-9a-f]{7,40}$/, { error: (i) => `expected a git commit sha (7 to 40 hex digits), got ${JSON.stringify(i.input)}` }).nullish(),
});
export const RegisterArtifactInput = ArtifactFields.extend({ serviceId: z.string().min(1) });
export type RegisterArtifactInput = z.input<typeof RegisterArtifactInput>;

export type ArtifactRow = typeof artifacts.$inferSelect;

export function registerArtifact(ctx: ServiceContext, raw: RegisterArtifactInput): { artifact: ArtifactRow; created: boolean } {
  const input = parseInput(RegisterArtifactInput, raw);
  if (!can(ctx.actor.roles, "rollout.start")) throw forbidden("Registering an artifact needs the deployer, sre or admin role.");
  return ctx.db.transaction((tx) => registerArtifactIn(tx, ctx, input));
}

/** The same, inside a caller's transaction (startRollout registers and starts in one). */
export function registerArtifactIn(tx: Db | Tx, ctx: ServiceContext, input: z.infer<typeof RegisterArtifactInput>): { artifact: ArtifactRow; created: boolean } {
  if (!ctx.config.services.some((s) => s.id === input.serviceId)) throw notFound(`There is no service "${input.serviceId}" in the fleet config.`);
  const values = {
    id: randomUUID(),
    serviceId: input.serviceId,
    version: input.version,
    digest: input.digest,
    url: input.url ?? null,
    sourceRef: input.sourceRef ?? null,
    commitSha: input.commitSha ?? null,
    createdAt: ctx.now,
  };
  // Insert-or-nothing, then read: settles two concurrent registrations in the database, not in this process.
  const [inserted] = tx.insert(artifacts).values(values).onConflictDoNothing().returning().all();
  if (inserted) {
    tx.insert(events)
      .values({
        at: ctx.now,
        type: "artifact.registered",
        actor: actorRef(ctx.actor),
        message: `${input.serviceId} ${input.version} registered with digest ${input.digest}${input.sourceRef ? ` from ${input.sourceRef}` : ""}.`,
        serviceId: input.serviceId,
        data: { artifactId: inserted.id, version: input.version, digest: input.digest, sourceRef: input.sourceRef ?? null, commitSha: input.commitSha ?? null },
      })
      .run();
    return { artifact: inserted, created: true };
  }
  const existing = tx.select().from(artifacts).where(and(eq(artifacts.serviceId, input.serviceId), eq(artifacts.version, input.version))).get();
  if (!existing) throw conflict(`${input.serviceId} ${input.version} could not be registered; try again.`);
  if (existing.digest !== input.digest) {
    throw conflict(
      `${input.serviceId} ${input.version} is already registered with digest ${existing.digest}; this request has ${input.digest}. Artifacts are immutable: build a new version instead.`,
      { version: input.version, registeredDigest: existing.digest, requestedDigest: input.digest },
    );
  }
  return { artifact: existing, created: false };
}

export function findArtifact(db: Db | Tx, artifactId: string): ArtifactRow | undefined {
  return db.select().from(artifacts).where(eq(artifacts.id, artifactId)).get();
}
