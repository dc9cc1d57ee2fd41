/**
 * `flightdeck rollout start|status|wait|pause|resume|promote|abort` over the REST API. `wait` polls the status, prints
 * a line whenever a region changes, and exits 0 when the rollout succeeded, 1 when it failed or was aborted.
 */
import { parseArgs } from "node:util";
import { ArtifactVersion } from "@/server/services/artifacts";
import type { RolloutStatusView } from "@/server/services/rollout-status";
import { apiClientFromEnv, type ApiClient } from "./api-client";
import { formatDuration } from "@/lib/format";
import { paint, type CliIo } from "./io";
import { readManifestFile } from "./manifest-file";
import { describeRegion, formatRollout } from "./rollout-format";
import { ArgumentError } from "./simulate-args";

const OPTIONS = {
  json: { type: "boolean" },
  service: { type: "string" },
  version: { type: "string" },
  digest: { type: "string" },
  url: { type: "string" },
  ref: { type: "string" },
  commit: { type: "string" },
  strategy: { type: "string" },
  delay: { type: "string" },
  regions: { type: "string" },
  region: { type: "string" },
  reason: { type: "string" },
  "break-glass": { type: "string" },
  "override-strategy": { type: "string" },
  manifest: { type: "string" },
  "override-schema": { type: "string" },
  interval: { type: "string", default: "10" },
  timeout: { type: "string", default: "600" },
} as const;

export async function runRollout(argv: string[], io: CliIo, client?: ApiClient): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const api = client ?? apiClientFromEnv(io.env);
  const print = (data: unknown, lines: () => string[]) => (v.json ? io.out(JSON.stringify(data, null, 2)) : lines().forEach((l) => io.out(l)));
  const id = () => positionals[0] ?? fail(`rollout ${sub} needs the rollout id`);
  const path = () => `/api/v1/rollouts/${encodeURIComponent(id())}`;

  switch (sub) {
    case "start": {
      const body = startBody(v);
      const started = await api.post<{ rolloutId: string; url: string; regions: string[] }>("/api/v1/rollouts", body);
      print(started, () => [
        `Started ${started.rolloutId} in ${started.regions.join(", ")}: ${started.url}`,
        `Follow it with: flightdeck rollout wait ${started.rolloutId}`,
      ]);
      return 0;
    }
    case "status": {
      if (positionals[0]) {
        const view = await api.get<RolloutStatusView>(path());
        print(view, () => formatRollout(io, view));
      } else {
        const list = await api.get<RolloutStatusView[]>("/api/v1/rollouts?limit=10");
        print(list, () => (list.length ? list.flatMap((r) => formatRollout(io, r)) : ["No rollouts yet."]));
      }
      return 0;
    }
    case "wait":
      return waitFor(api, path(), io, {
        json: Boolean(v.json),
        intervalMs: seconds(v.interval, "--interval") * 1000,
        timeoutMs: seconds(v.timeout, "--timeout") * 60_000,
      });
    case "pause":
    case "resume":
    case "promote":
    case "abort": {
      const region = v.region ?? fail(`rollout ${sub} needs --region <id>`);
      const result = await api.post<{ regionId: string; phase: string; paused: boolean }>(
        `${path()}/regions/${encodeURIComponent(region)}/${sub}`,
        v.reason ? { reason: v.reason } : {},
      );
      print(result, () => [`${sub}: ${result.regionId} is ${result.phase.replace("_", " ")}${result.paused ? ", paused" : ""}.`]);
      return 0;
    }
    default:
      throw new ArgumentError(`unknown rollout command ${JSON.stringify(sub ?? "")}; use start, status, wait, pause, resume, promote or abort`);
  }
}

async function waitFor(api: ApiClient, path: string, io: CliIo, opts: { json: boolean; intervalMs: number; timeoutMs: number }): Promise<number> {
  const started = Date.now();
  const seen = new Map<string, string>();
  for (;;) {
    const view = await api.get<RolloutStatusView>(path);
    for (const r of view.regions) {
      const line = describeRegion(r, new Map(Object.entries(view.actorNames ?? {})));
      if (seen.get(r.regionId) === line) continue;
      seen.set(r.regionId, line);
      io.out(
        opts.json
          ? JSON.stringify({
              at: new Date().toISOString(),
              regionId: r.regionId,
              phase: r.phase,
              stagePercent: r.stagePercent,
              canaryPct: r.canaryPct,
              paused: r.paused,
            })
          : `${new Date().toISOString().slice(11, 19)}  ${r.regionId.padEnd(10)} ${line}`,
      );
    }
    if (view.status !== "running") {
      const ok = view.status === "succeeded";
      io.out(opts.json ? JSON.stringify({ rolloutId: view.id, status: view.status }) : paint(io, ok ? "green" : "red", `Rollout ${view.id} ${view.status}.`));
      return ok ? 0 : 1;
    }
    if (Date.now() - started > opts.timeoutMs) {
      io.err(`Rollout ${view.id} is still running after ${formatDuration(opts.timeoutMs)}; stopped waiting (it goes on).`);
      return 1;
    }
    await io.sleep(opts.intervalMs);
  }
}

function startBody(v: { [k: string]: string | boolean | undefined }) {
  const need = (key: string) => (v[key] as string | undefined) ?? fail(`rollout start needs --${key}`);
  const regions = (v.regions as string | undefined) ?? "all";
  return {
    serviceId: need("service"),
    artifact: {
      version: checkedVersion(need("version")),
      digest: need("digest"),
      ...(v.url ? { url: v.url } : {}),
      ...(v.ref ? { sourceRef: v.ref } : {}),
      ...(v.commit ? { commitSha: v.commit } : {}),
      ...(v.manifest ? { manifest: readManifestFile(v.manifest as string) } : {}),
    },
    strategy: need("strategy"),
    regions:
      regions === "all"
        ? "all"
        : regions
            .split(",")
            .map((r) => r.trim())
            .filter(Boolean),
    ...(v.delay !== undefined ? { delayMinutes: seconds(v.delay as string, "--delay") } : {}),
    ...(v["break-glass"] !== undefined ? { breakGlassReason: v["break-glass"] } : {}),
    ...(v["override-strategy"] !== undefined ? { strategyOverrideReason: v["override-strategy"] } : {}),
    ...(v["override-schema"] !== undefined ? { schemaOverrideReason: v["override-schema"] } : {}),
  };
}

/** The server's one version rule, checked before anything is sent. */
function checkedVersion(version: string): string {
  const parsed = ArtifactVersion.safeParse(version);
  if (!parsed.success) throw new ArgumentError(`--version: ${parsed.error.issues[0].message}, got ${JSON.stringify(version)}`);
  return version;
}

function seconds(text: string | undefined, name: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new ArgumentError(`${name} needs a positive number, got ${JSON.stringify(text)}`);
  return n;
}

function fail(message: string): never {
  throw new ArgumentError(message);
}
