/**
 * The schema-compatibility gate (docs/policies.md#schema-compatibility). During a canary the live colour and the
 * new one share the database, so a release whose manifest carries a `contract` migration (a drop, a rename, NOT
 * NULL on an existing column) may only start where the live release already tolerates it: its own manifest
 * declares `readyFor: <this version>` (expand/contract). `expand` and `none` always pass. Pure: the start, the
 * approval page and the rollout page all judge with `schemaVerdict`.
 */
import type { ReleaseManifest } from "@/db/schema/artifacts";

export type Migration = ReleaseManifest["migrations"][number];

/** What a region serves live when the release starts there (null: nothing yet, so nothing shares the database). */
export type LiveRelease = { artifactId: string; version: string; readyFor: string | null } | null;

/** The live release as the gate reads it from an artifact row (none: nothing live). The start, the pages and the approval card read it here. */
export function liveReleaseOf(artifact: { id: string; version: string; manifest: ReleaseManifest | null } | null | undefined): LiveRelease {
  return artifact ? { artifactId: artifact.id, version: artifact.version, readyFor: artifact.manifest?.readyFor ?? null } : null;
}

export type RegionSchemaCheck = {
  regionId: string;
  liveVersion: string | null;
  readyFor: string | null;
  /** The live release tolerates this release's contract migrations (or there is none, or nothing to tolerate). */
  ok: boolean;
};

export type SchemaVerdict = {
  /** `none-declared`: the release carries no manifest; `pass`: nothing to refuse; `refused`: a contract migration the live release does not tolerate. */
  outcome: "none-declared" | "pass" | "refused";
  migrations: Migration[];
  /** The contract migrations, the ones the live release must tolerate. */
  contract: Migration[];
  regions: RegionSchemaCheck[];
  /** In words, for the refusal, the approval page and the rollout page. */
  reason: string;
};

const named = (m: Migration) => `${m.id} ("${m.description}")`;

/** The verdict for a release (its id, version and manifest) over the live release of each region it starts in. */
export function schemaVerdict(
  release: { artifactId: string; version: string; manifest: ReleaseManifest | null },
  live: ReadonlyArray<{ regionId: string; release: LiveRelease }>,
): SchemaVerdict {
  const manifest = release.manifest;
  const migrations = manifest?.migrations ?? [];
  const contract = migrations.filter((m) => m.class === "contract");
  const regions = live.map(({ regionId, release: l }) => ({
    regionId,
    liveVersion: l?.version ?? null,
    readyFor: l?.readyFor ?? null,
    ok: contract.length === 0 || l === null || l.artifactId === release.artifactId || l.readyFor === release.version,
  }));
  if (manifest === null)
    return { outcome: "none-declared", migrations, contract, regions, reason: `${release.version} carries no release manifest: no migrations declared.` };
  if (contract.length === 0) {
    const words = migrations.length === 0 ? "no migrations" : `${migrations.length} migration${migrations.length === 1 ? "" : "s"}, none of them contract`;
    return { outcome: "pass", migrations, contract, regions, reason: `Compatible: ${release.version} declares ${words}.` };
  }
  const blocked = regions.filter((r) => !r.ok);
  const contractWords = `contract migration${contract.length === 1 ? "" : "s"} ${contract.map(named).join(", ")}`;
  if (blocked.length === 0) {
    const tolerated = regions.filter((r) => r.liveVersion !== null).map((r) => `${r.liveVersion} live in ${r.regionId}`);
    const why =
      tolerated.length === 0
        ? "no region serves a release yet"
        : `${tolerated.join(", ")} declare${tolerated.length === 1 ? "s" : ""} readyFor ${release.version}`;
    return { outcome: "pass", migrations, contract, regions, reason: `Compatible: ${release.version} carries ${contractWords}, and ${why}.` };
  }
  const lacking = blocked.map(
    (r) => `${r.liveVersion} live in ${r.regionId} does not declare readyFor ${release.version}${r.readyFor ? ` (it declares ${r.readyFor})` : ""}`,
  );
  return {
    outcome: "refused",
    migrations,
    contract,
    regions,
    reason: `${release.version} carries ${contractWords}, which the live release must tolerate while blue and green share the database: ${lacking.join("; ")}; ship an expand release first.`,
  };
}
