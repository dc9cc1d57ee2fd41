/** A region named from outside (CLI, REST, dashboard), by id or the spec's short name (us, eu, apac), as a configured region id. */
import { resolveRegionName } from "@/server/config/region-names";
import type { FleetConfig } from "@/server/config/schema";
import { badRequest, notFound } from "./errors";

/** The id of the region `name` means; an unknown name is a 404, a short name that fits several regions a 400 naming them. */
export function regionIdOf(config: Pick<FleetConfig, "regions">, name: string): string {
  const resolved = resolveRegionName(config, name);
  if (resolved.ok) return resolved.region.id;
  throw resolved.unknown ? notFound(resolved.message) : badRequest(resolved.message, { path: "regionId" });
}
