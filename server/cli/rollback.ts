/**
 * `flightdeck rollback --region <id|us|eu|apac> [--service <id>]`: the spec's emergency rollback of one region;
 * `flightdeck rollback --all --service <id>`: every region of the service at once (REST
 * `POST /api/v1/services/:id/rollback`, with `--idempotency-key` so a retried workflow run requests nothing twice).
 * `--wait` follows each region until the engine has verified its traffic back (exit 0), or the timeout (exit 1).
 */
import { parseArgs } from "node:util";
import { withActorNames } from "@/server/actor-names";
import type { RolloutStatusView } from "@/server/services/rollout-status";
import type { ServiceRollbackAnswer } from "@/server/services/service-rollback";
import { apiClientFromEnv, type ApiClient } from "./api-client";
import { formatDuration } from "@/lib/format";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const OPTIONS = {
  region: { type: "string" },
  service: { type: "string" },
  all: { type: "boolean" },
  "idempotency-key": { type: "string" },
  wait: { type: "boolean" },
  timeout: { type: "string", default: "10" },
  interval: { type: "string", default: "2" },
  json: { type: "boolean" },
} as const;

type RegionRef = { rolloutId: string; regionId: string };

export async function runRollback(argv: string[], io: CliIo, client?: ApiClient): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS }));
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  if (values.all && values.region) throw new ArgumentError("use --region <id> for one region or --all for every region, not both");
  if (values.all && !values.service) throw new ArgumentError("rollback --all needs --service <id>: it rolls back every region of that service");
  if (!values.all && !values.region) throw new ArgumentError("rollback needs --region <id> (or --all --service <id>), e.g. flightdeck rollback --region eu");
  if (values["idempotency-key"] !== undefined && !values.all) throw new ArgumentError("--idempotency-key goes with --all");
  const wait = { intervalMs: positive(values.interval, "--interval") * 1000, timeoutMs: positive(values.timeout, "--timeout") * 60_000 };
  const api = client ?? apiClientFromEnv(io.env);
  const json = Boolean(values.json);

  let regions: RegionRef[];
  if (values.all) {
    const key = values["idempotency-key"];
    const answer = await api.post<ServiceRollbackAnswer>(
      `/api/v1/services/${encodeURIComponent(values.service!)}/rollback`,
      {},
      key ? { "idempotency-key": key } : {},
    );
    if (json) io.out(JSON.stringify(answer, null, 2));
    else printBatch(io, answer, key);
    regions = answer.requested;
  } else {
    const result = await api.post<{ rolloutId: string; regionId: string; phase: string; requestedAction: string | null }>(
      `/api/v1/regions/${encodeURIComponent(values.region!)}/rollback`,
      values.service ? { service: values.service } : {},
    );
    if (json) io.out(JSON.stringify(result, null, 2));
    else
      io.out(
        `Rollback of ${result.regionId} requested (rollout ${result.rolloutId}); the engine moves traffic back to the previous release now. Watch it with: flightdeck rollout status ${result.rolloutId}`,
      );
    regions = [result];
  }
  return values.wait ? waitUntilBack(api, io, regions, { ...wait, json }) : 0;
}

function printBatch(io: CliIo, answer: ServiceRollbackAnswer, key: string | undefined): void {
  io.out(
    answer.replayed
      ? `Emergency rollback of ${answer.serviceId} already requested with key ${key} (batch ${answer.batchId}); nothing new was requested:`
      : `Emergency rollback of ${answer.serviceId} requested (batch ${answer.batchId}); every region moves back at once, each verified:`,
  );
  for (const r of answer.requested) io.out(`  ${r.regionId.padEnd(10)} ${r.summary}`);
  for (const s of answer.skipped) io.out(paint(io, "grey", `  ${s.regionId.padEnd(10)} left alone: ${s.reason}`));
}

/** Polls each region's rollout until its phase is rolled_back (the engine verified the traffic), printing each as it lands. */
async function waitUntilBack(api: ApiClient, io: CliIo, regions: RegionRef[], opts: { intervalMs: number; timeoutMs: number; json: boolean }): Promise<number> {
  const started = Date.now();
  const waiting = new Map(regions.map((r) => [`${r.rolloutId}/${r.regionId}`, r]));
  for (;;) {
    for (const [key, ref] of waiting) {
      const view = await api.get<RolloutStatusView>(`/api/v1/rollouts/${encodeURIComponent(ref.rolloutId)}`);
      const region = view.regions.find((r) => r.regionId === ref.regionId);
      if (region?.phase !== "rolled_back") continue;
      waiting.delete(key);
      io.out(
        opts.json
          ? JSON.stringify({ regionId: ref.regionId, rolloutId: ref.rolloutId, phase: region.phase, outcomeReason: region.outcomeReason })
          : paint(
              io,
              "green",
              `  ${ref.regionId.padEnd(10)} back: ${withActorNames(region.outcomeReason, new Map(Object.entries(view.actorNames ?? {}))) ?? "rolled back"}`,
            ),
      );
    }
    if (waiting.size === 0) return 0;
    if (Date.now() - started >= opts.timeoutMs) {
      const left = [...waiting.values()].map((r) => r.regionId).join(", ");
      io.err(`not verified back after ${formatDuration(opts.timeoutMs)}: ${left}; see flightdeck rollout status <rollout id> and the incident card`);
      return 1;
    }
    await io.sleep(opts.intervalMs);
  }
}

function positive(text: string | undefined, name: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new ArgumentError(`${name} needs a positive number, got ${JSON.stringify(text)}`);
  return n;
}
