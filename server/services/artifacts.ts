/**
 * Artifacts are immutable: one version of a service has exactly one digest, for ever. Registering the same
 * version and digest again is a no-op; another digest for a registered version is refused. One rule for versions
 * and URLs everywhere (dashboard, REST, webhook, CLI): ArtifactVersion, and artifactUrlProblem with the config's
 * `artifacts` policy. Provenance says whether ref and commit came from the signed CI webhook or from a person.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Store } from "@/db/client";
import type { ReleaseManifest } from "@/db/schema/artifacts";
import type { ArtifactRow } from "@/db/store/repositories/artifacts";
import { actorRef } from "@/server/actor";
import { actorCan } from "@/server/auth/roles";
import type { FleetConfig } from "@/server/config/schema";
import { parseInput, type ServiceContext } from "./context";
import { badRequest, conflict, forbidden, notFound } from "./errors";
import { eventValues } from "@/server/engine/machine/events";

/** The one version rule: a letter or digit, then letters, digits, . _ + - (1.4.2, 2026.01.05+build.7); 128 at most. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
export const ArtifactVersion = z.string().regex(VERSION_PATTERN, { error: "expected a version such as 1.4.2 (letters, digits, . _ + -; at most 128)" });

/** Only web URLs: `javascript:`, `file:`, `data:` and the like are refused by the schema, before any config rule. */
export const ArtifactUrl = z.url({
  protocol: /^https?$/,
  error: "expected the http(s) URL where hosts fetch the artifact (javascript:, file:, data: and other schemes are refused)",
});

/**
 * The release manifest: `flightdeck.json` at the artifact's root, or the same fields at registration (webhook,
 * REST, CLI). Its migrations with their compatibility class, and the release it already tolerates
 * (docs/policies.md#schema-compatibility).
 */
export const ReleaseManifestFields = z.strictObject({
  migrations: z
    .array(
      z.strictObject({
        id: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: "expected the migration's id, such as 0042_drop_legacy_name (letters, digits, . _ : -)" }),
        class: z.enum(["expand", "contract", "none"], { error: (i) => `expected expand, contract or none, got ${JSON.stringify(i.input)}` }),
        description: z.string().trim().min(1, { error: 'expected a short description, such as "drop column users.legacy_name"' }).max(300),
      }),
      { error: "expected a list of migrations, each { id, class, description }" },
    )
    .max(200)
    .default([]),
  readyFor: ArtifactVersion.nullish().transform((v) => v ?? null),
});
export type ReleaseManifestInput = z.input<typeof ReleaseManifestFields>;

export const ArtifactFields = z.strictObject({
  version: ArtifactVersion,
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: (i) => `expected sha256: followed by 64 lowercase hex digits, got ${JSON.stringify(i.input)}` }),
  url: ArtifactUrl.nullish(),
  sourceRef: z.string().min(1).max(256).nullish(),
  commitSha: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, { error: (i) => `expected a git commit sha (7 to 40 hex digits), got ${JSON.stringify(i.input)}` })
    .nullish(),
  manifest: ReleaseManifestFields.nullish(),
});
export const RegisterArtifactInput = ArtifactFields.extend({ serviceId: z.string().min(1) });
export type RegisterArtifactInput = z.input<typeof RegisterArtifactInput>;

export type { ArtifactRow };
export type ArtifactPolicy = FleetConfig["artifacts"];

/** Why the config refuses this artifact URL (plain http to an unlisted host, outside the allowed prefixes), or null. */
export function artifactUrlProblem(policy: ArtifactPolicy, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL`;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return `${parsed.protocol} URLs are refused: artifacts are fetched over https`;
  if (parsed.protocol === "http:" && !policy.allowHttpHosts.includes(parsed.hostname)) {
    return `plain http to ${parsed.hostname} is refused: use https, or list the host in the config's artifacts.allowHttpHosts`;
  }
  if (policy.allowedUrlPrefixes.length > 0 && !policy.allowedUrlPrefixes.some((prefix) => url.startsWith(prefix))) {
    return `${parsed.origin}${parsed.pathname} is outside the config's artifacts.allowedUrlPrefixes (${policy.allowedUrlPrefixes.join(", ")})`;
  }
  return null;
}

export async function registerArtifact(ctx: ServiceContext, raw: RegisterArtifactInput): Promise<{ artifact: ArtifactRow; created: boolean }> {
  const now = ctx.clock.now();
  const input = parseInput(RegisterArtifactInput, raw);
  if (!actorCan(ctx.actor, "rollout.start")) throw forbidden("Registering an artifact needs the deployer, sre or admin role.");
  return ctx.db.transaction((tx) => registerArtifactIn(tx, ctx, input, now));
}

/** The same, inside a caller's transaction (startRollout registers and starts in one). */
export async function registerArtifactIn(
  tx: Store,
  ctx: Pick<ServiceContext, "config" | "actor">,
  input: z.infer<typeof RegisterArtifactInput>,
  now: number,
): Promise<{ artifact: ArtifactRow; created: boolean }> {
  if (!ctx.config.services.some((s) => s.id === input.serviceId)) throw notFound(`There is no service "${input.serviceId}" in the fleet config.`);
  const urlProblem = input.url ? artifactUrlProblem(ctx.config.artifacts, input.url) : null;
  if (urlProblem) throw badRequest(`artifact.url: ${urlProblem}.`, { path: "artifact.url" });
  const values = {
    id: randomUUID(),
    serviceId: input.serviceId,
    version: input.version,
    digest: input.digest,
    url: input.url ?? null,
    sourceRef: input.sourceRef ?? null,
    commitSha: input.commitSha ?? null,
    provenance: ctx.actor.kind === "webhook" ? ("webhook" as const) : ("manual" as const),
    manifest: input.manifest ?? null,
    createdAt: now,
  };
  // Insert-or-nothing, then read: settles two concurrent registrations in the database, not in this process.
  const inserted = await tx.artifacts.insertIfAbsent(values);
  if (inserted) {
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: "artifact.registered",
        actor: actorRef(ctx.actor),
        message: `${input.serviceId} ${input.version} registered with digest ${input.digest}${input.sourceRef ? ` from ${input.sourceRef}` : ""}.`,
        serviceId: input.serviceId,
        data: {
          artifactId: inserted.id,
          version: input.version,
          digest: input.digest,
          sourceRef: input.sourceRef ?? null,
          commitSha: input.commitSha ?? null,
          provenance: values.provenance,
        },
      }),
    );
    return { artifact: inserted, created: true };
  }
  const existing = await tx.artifacts.byServiceVersion(input.serviceId, input.version);
  if (!existing) throw conflict(`${input.serviceId} ${input.version} could not be registered; try again.`);
  if (existing.digest !== input.digest) {
    throw conflict(
      `${input.serviceId} ${input.version} is already registered with digest ${existing.digest}; this request has ${input.digest}. Artifacts are immutable: build a new version instead.`,
      { version: input.version, registeredDigest: existing.digest, requestedDigest: input.digest },
    );
  }
  const manifestProblem = manifestConflict(existing.manifest, input.manifest ?? null);
  if (manifestProblem) {
    throw conflict(`${input.serviceId} ${input.version} is already registered ${manifestProblem}. Artifacts are immutable: build a new version instead.`, {
      version: input.version,
    });
  }
  return { artifact: existing, created: false };
}

/** Why a repeated registration's manifest differs from the registered one (no manifest given keeps the registered one), or null. */
function manifestConflict(registered: ReleaseManifest | null, given: ReleaseManifest | null): string | null {
  if (given === null) return null;
  if (registered === null) return "without a manifest; this request carries one";
  const same =
    registered.readyFor === given.readyFor &&
    registered.migrations.length === given.migrations.length &&
    registered.migrations.every(
      (m, i) => m.id === given.migrations[i].id && m.class === given.migrations[i].class && m.description === given.migrations[i].description,
    );
  return same ? null : "with another manifest (its migrations or readyFor differ)";
}

export async function findArtifact(db: Store, artifactId: string): Promise<ArtifactRow | undefined> {
  return db.artifacts.byId(artifactId);
}
