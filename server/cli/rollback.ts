/** `flightdeck rollback --region <id> [--service <id>]`: the spec's emergency rollback of one region, over the REST API. */
import { parseArgs } from "node:util";
import { apiClientFromEnv, type ApiClient } from "./api-client";
import type { CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

export async function runRollback(argv: string[], io: CliIo, client?: ApiClient): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { region: { type: "string" }, service: { type: "string" }, json: { type: "boolean" } } }));
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  if (!values.region) throw new ArgumentError("rollback needs --region <id>, e.g. flightdeck rollback --region eu-west");
  const api = client ?? apiClientFromEnv(io.env);
  const result = await api.post<{ rolloutId: string; regionId: string; phase: string; requestedAction: string | null }>(
    `/api/v1/regions/${encodeURIComponent(values.region)}/rollback`,
    values.service ? { service: values.service } : {},
  );
  if (values.json) io.out(JSON.stringify(result, null, 2));
  else
    io.out(
      `Rollback of ${result.regionId} requested (rollout ${result.rolloutId}); the engine moves traffic back to the previous release now. Watch it with: flightdeck rollout status ${result.rolloutId}`,
    );
  return 0;
}
