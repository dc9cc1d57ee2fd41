/**
 * The names a person may give a region: its id (`us-east`) or the spec's short name (`us`, `eu`, `apac`), which
 * is the part of an id before its first dash. A short name that fits several configured regions (`us` with
 * us-east and us-west) is refused with the ids to choose from, never guessed. Used wherever a region is named
 * from outside: the CLI's `--region`/`--regions`, the REST API, the CI webhook and its workflows.
 */
import type { FleetConfig, RegionConfig } from "./schema";

export type RegionName = { ok: true; region: RegionConfig } | { ok: false; unknown: boolean; message: string };

export function resolveRegionName(config: Pick<FleetConfig, "regions">, name: string): RegionName {
  const wanted = name.trim().toLowerCase();
  const exact = config.regions.find((r) => r.id.toLowerCase() === wanted);
  if (exact) return { ok: true, region: exact };
  const known = config.regions.map((r) => r.id).join(", ");
  const byPrefix = wanted === "" ? [] : config.regions.filter((r) => r.id.toLowerCase().startsWith(`${wanted}-`));
  if (byPrefix.length === 1) return { ok: true, region: byPrefix[0] };
  if (byPrefix.length > 1) {
    return {
      ok: false,
      unknown: false,
      message: `"${name}" could mean ${byPrefix.map((r) => r.id).join(" or ")}; name the region by its id.`,
    };
  }
  const short = shortNames(config);
  return {
    ok: false,
    unknown: true,
    message: `There is no region "${name}" in the fleet config (known: ${known}${short ? `, or by short name ${short}` : ""}).`,
  };
}

/** The short names that resolve to exactly one region, for messages: "us, eu, apac". */
function shortNames(config: Pick<FleetConfig, "regions">): string {
  const prefixes = config.regions.filter((r) => r.id.includes("-")).map((r) => r.id.split("-")[0].toLowerCase());
  return prefixes.filter((p, i) => prefixes.indexOf(p) === i && prefixes.lastIndexOf(p) === i).join(", ");
}
