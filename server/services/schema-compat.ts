/**
 * The schema-compatibility gate as people meet it (docs/policies.md#schema-compatibility): the release manifest
 * read from `flightdeck.json` (the CLI), the check every start goes through inside its transaction (dashboard,
 * REST, webhook, CLI: one refusal, nothing written), an admin's override with a reason, the recorded verdict, and
 * the verdict as the approval and rollout pages show it. The judgement itself is pure: `schemaVerdict`.
 */
import type { ReleaseManifest } from "@/db/schema/artifacts";
import type { Store } from "@/db/client";
import type { ArtifactRow } from "@/db/store/repositories/artifacts";
import { actorRef } from "@/server/actor";
import { actorCan } from "@/server/auth/roles";
import { eventValues } from "@/server/engine/machine/events";
import { liveReleaseOf, schemaVerdict, type SchemaVerdict } from "@/server/engine/machine/schema-compat";
import { ReleaseManifestFields } from "./artifacts";
import type { ServiceContext } from "./context";
import { badRequest, forbidden, preconditionFailed, problemsFromIssues } from "./errors";

export type { SchemaVerdict };

/** `flightdeck.json` as text: the manifest, or a bad-request error naming the file and each field that is wrong. */
export function parseManifestText(text: string, source = "flightdeck.json"): ReleaseManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badRequest(`${source}: not valid JSON (${(err as Error).message}).`);
  }
  const parsed = ReleaseManifestFields.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = problemsFromIssues(parsed.error.issues);
  throw badRequest(`${source}: ${problems.map((p) => (p.path === "(root)" ? p.message : `${p.path}: ${p.message}`)).join("; ")}`, { issues: problems });
}

/** A start of a contract migration the live release does not tolerate, let through by an admin: why, and what the refusal said. */
export type SchemaOverride = { reason: string; refusal: string };

/**
 * Inside a start's transaction, before it commits: a release whose contract migration the live release of any
 * chosen region does not declare readyFor refuses the start (the transaction writes nothing); with an override
 * reason an admin starts it anyway. The role is checked here, on the server, whatever the transport.
 */
export async function checkSchemaCompat(
  tx: Store,
  ctx: ServiceContext,
  serviceId: string,
  artifact: ArtifactRow,
  regionIds: readonly string[],
  overrideReason: string | null,
): Promise<{ verdict: SchemaVerdict; override: SchemaOverride | null }> {
  const live = new Map((await tx.artifacts.liveInRegions(serviceId, regionIds)).map((l) => [l.regionId, l.artifact]));
  const verdict = schemaVerdict(
    { artifactId: artifact.id, version: artifact.version, manifest: artifact.manifest },
    regionIds.map((regionId) => ({ regionId, release: liveReleaseOf(live.get(regionId)) })),
  );
  if (verdict.outcome !== "refused") return { verdict, override: null };
  if (overrideReason === null) throw preconditionFailed(`${serviceId}: ${verdict.reason} An admin may start it anyway with a schema override reason.`);
  if (!actorCan(ctx.actor, "schema.override")) throw forbidden(`${serviceId}: ${verdict.reason} Starting it anyway (schema override) needs the admin role.`);
  return { verdict, override: { reason: overrideReason, refusal: verdict.reason } };
}

/** The events a start records: the verdict of a release that declared a manifest, and an admin's override. */
export function schemaCheckEvents(
  ctx: ServiceContext,
  at: number,
  rollout: { id: string; serviceId: string; correlationId: string; version: string },
  checked: { verdict: SchemaVerdict; override: SchemaOverride | null },
) {
  const { verdict, override } = checked;
  if (verdict.outcome === "none-declared") return [];
  const by = actorRef(ctx.actor);
  const where = { serviceId: rollout.serviceId, rolloutId: rollout.id, correlationId: rollout.correlationId };
  const result = eventValues({
    at,
    type: "rollout.schema_checked",
    actor: by,
    message: override ? `Schema compatibility overridden: ${verdict.reason}` : verdict.reason,
    ...where,
    data: {
      outcome: override ? "overridden" : "pass",
      version: rollout.version,
      migrations: verdict.migrations,
      regions: verdict.regions,
      reason: verdict.reason,
    },
  });
  if (!override) return [result];
  const overridden = eventValues({
    at,
    type: "rollout.schema_override",
    actor: by,
    message: `${ctx.actor.name} started ${rollout.version} although the live release does not tolerate its contract migration (schema override): "${override.reason}".`,
    ...where,
    data: { actor: by, reason: override.reason, refusal: override.refusal },
  });
  return [result, overridden];
}

/** The schema check of a started rollout as its pages show it: judged over what each region served when it started. */
export type SchemaCheckView = SchemaVerdict & { overrideReason: string | null };

export async function schemaCheckOf(
  db: Store,
  rollout: { artifactId: string; schemaOverrideReason: string | null },
  regions: ReadonlyArray<{ regionId: string; previousArtifactId: string | null }>,
): Promise<SchemaCheckView | null> {
  const artifact = await db.artifacts.byId(rollout.artifactId);
  if (!artifact) return null;
  const live = await Promise.all(
    regions.map(async (r) => ({ regionId: r.regionId, release: liveReleaseOf(r.previousArtifactId ? await db.artifacts.byId(r.previousArtifactId) : null) })),
  );
  return {
    ...schemaVerdict({ artifactId: artifact.id, version: artifact.version, manifest: artifact.manifest }, live),
    overrideReason: rollout.schemaOverrideReason,
  };
}
