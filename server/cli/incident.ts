/**
 * `flightdeck ack <rollout-id> [--region <id>]`: an sre or admin acknowledges the rollout's open incidents (regions
 * rolled back for a breach or in an emergency), so no Jira ticket or page follows; `flightdeck resolve <rollout-id>
 * --reason <text> [--region <id>]`: resolves them, and a page already sent is resolved. Over the REST API
 * (`/api/v1/rollouts/:id/incidents/...`) with a rollback token (docs/notifications.md#escalation).
 */
import { parseArgs } from "node:util";
import type { IncidentChange } from "@/server/services/incidents";
import { apiClientFromEnv, type ApiClient } from "./api-client";
import type { CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const OPTIONS = { region: { type: "string" }, reason: { type: "string" }, json: { type: "boolean" } } as const;

export async function runIncident(verb: "ack" | "resolve", argv: string[], io: CliIo, client?: ApiClient): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new ArgumentError(`${verb} needs one rollout id, e.g. flightdeck ${verb} <rollout-id>${verb === "resolve" ? ' --reason "fixed by 1.4.3"' : ""}`);
  if (verb === "resolve" && !values.reason)
    throw new ArgumentError('resolve needs --reason <text>, e.g. flightdeck resolve <rollout-id> --reason "fixed by 1.4.3"');
  if (verb === "ack" && values.reason !== undefined) throw new ArgumentError("ack takes no --reason (resolve does)");
  const api = client ?? apiClientFromEnv(io.env);
  const path = `/api/v1/rollouts/${encodeURIComponent(positionals[0])}/incidents/${verb === "ack" ? "acknowledge" : "resolve"}`;
  const body = { ...(values.region ? { regionId: values.region } : {}), ...(verb === "resolve" ? { reason: values.reason } : {}) };
  const done = await api.post<IncidentChange>(path, body);
  if (values.json) io.out(JSON.stringify(done, null, 2));
  else for (const incident of done.changed) io.out(incident.why ?? incident.incidentId);
  return 0;
}
