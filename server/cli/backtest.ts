/**
 * `flightdeck backtest --region <id> --from <time> [--to <time>] ...`: would these thresholds have caught that
 * incident, and how many false alarms would they have raised? Over the REST API (`POST /api/v1/regions/:id/backtest`,
 * any token): the server replays the region's recorded Prometheus history through the engine's judgement
 * (server/services/backtest.ts). `--config <file>` tries the stages and analysis of another config file instead.
 */
import { parseArgs } from "node:util";
import { formatCount, formatDuration, formatTimestamp } from "@/lib/format";
import { parseConfig, readConfigFile, regionSettings } from "@/server/config/load";
import { resolveRegionName } from "@/server/config/region-names";
import type { BacktestInput, BacktestReport } from "@/server/services/backtest";
import { apiClientFromEnv, ApiError, type ApiClient } from "./api-client";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const OPTIONS = {
  region: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  colour: { type: "string" },
  service: { type: "string" },
  "incident-from": { type: "string" },
  "incident-to": { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
} as const;

/** A month at 30 s is 86,400 windows per stage: about half a minute of replay on the server, more on a busy one. */
const REPLAY_TIMEOUT_MS = 5 * 60_000;

/** The flag behind each field of the server's input, so a refusal names what to fix on the command line. */
const FLAGS: Record<string, string> = {
  regionId: "--region",
  from: "--from",
  to: "--to",
  colour: "--colour",
  serviceId: "--service",
  incidentFrom: "--incident-from",
  incidentTo: "--incident-to",
  stages: "--config",
  analysis: "--config",
};

export async function runBacktest(argv: string[], io: CliIo, client?: ApiClient): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: withRelativeTimes(argv), options: OPTIONS }));
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  if (!values.region) throw new ArgumentError("--region is required: the region whose history is replayed, e.g. --region us-east");
  if (!values.from) throw new ArgumentError("--from is required: the start of the period, e.g. --from -30d or --from 2026-12-01T14:00Z");
  if (values.colour !== undefined && values.colour !== "blue" && values.colour !== "green")
    throw new ArgumentError(`--colour must be blue or green, got ${JSON.stringify(values.colour)}`);
  if (values["incident-to"] !== undefined && values["incident-from"] === undefined) throw new ArgumentError("--incident-to goes with --incident-from");

  const input: BacktestInput = {
    regionId: values.region,
    from: values.from,
    ...(values.to !== undefined ? { to: values.to } : {}),
    ...(values.colour !== undefined ? { colour: values.colour as "blue" | "green" } : {}),
    ...(values.service !== undefined ? { serviceId: values.service } : {}),
    ...(values["incident-from"] !== undefined ? { incidentFrom: values["incident-from"] } : {}),
    ...(values["incident-to"] !== undefined ? { incidentTo: values["incident-to"] } : {}),
    ...(values.config !== undefined ? thresholdsOf(values.config, values.region, io) : {}),
  };
  const api = client ?? apiClientFromEnv(io.env);
  let report: BacktestReport;
  try {
    report = await api.post<BacktestReport>(`/api/v1/regions/${encodeURIComponent(values.region)}/backtest`, input, {}, REPLAY_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && err.issues.length > 0) throw new ArgumentError(err.issues.map(flagProblem).join("; "));
    throw err;
  }
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else formatReport(report, io).forEach((line) => io.out(line));
  return 0;
}

/** `--from -30d` as `--from=-30d`: parseArgs would take "-30d" for an option, and relative times are the common case. */
function withRelativeTimes(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = argv[i + 1];
    if (flag.startsWith("--") && OPTIONS[flag.slice(2) as keyof typeof OPTIONS]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${flag}=${next}`);
      i++;
    } else out.push(flag);
  }
  return out;
}

/** `path: message` with the flag in place of the field: `--from: "yesterday" is not a time…`, `--config (stages[0].percent): …`. */
function flagProblem(p: { path: string; message: string }): string {
  const [field, ...rest] = p.path.replace(/^input\.?/, "").split(/(?=[.[])/);
  const flag = FLAGS[field];
  if (!flag) return `${p.path}: ${p.message}`;
  return `${flag}${flag === "--config" ? ` (${p.path.replace(/^input\.?/, "")})` : rest.length ? ` (${rest.join("")})` : ""}: ${p.message}`;
}

/** The stages and analysis in effect for the region in another config file (its env variables need not be set here). */
function thresholdsOf(file: string, regionName: string, io: CliIo): Pick<BacktestInput, "stages" | "analysis"> {
  let text: string;
  try {
    text = readConfigFile(file);
  } catch (err) {
    throw new ArgumentError(`--config ${file}: ${(err as Error & { problems?: Array<{ message: string }> }).problems?.[0]?.message ?? (err as Error).message}`);
  }
  const { config, problems } = parseConfig(text, io.env, { requireEnv: false });
  if (!config) throw new ArgumentError(`--config ${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  const resolved = resolveRegionName(config, regionName);
  if (!resolved.ok) throw new ArgumentError(`--config ${file}: ${resolved.message}`);
  return regionSettings(config, resolved.region);
}

/** The report as a person reads it: one block per stage, its summary first, then the line over every stage. */
export function formatReport(r: BacktestReport, io: Pick<CliIo, "tty">): string[] {
  const at = (ms: number) => formatTimestamp(ms, "UTC");
  const against = r.baselineColour ? ` against ${r.baselineColour}` : "";
  const lines = [
    `Backtest of ${r.regionId} (${r.serviceId}, ${r.colour}${against}) from ${at(r.from)} to ${at(r.to)}: ${formatCount(r.windowCount)} windows of ${formatDuration(r.intervalMs)}` +
      (r.thresholds === "given" ? ", with the thresholds of --config" : ""),
  ];
  if (r.incident) lines.push(`Incident: ${at(r.incident.from)} to ${at(r.incident.to)}`);
  for (const s of r.stages) {
    const caught = s.detection !== null || (!r.incident && s.rollbacks.length > 0);
    const tone = r.incident ? (caught && s.falseAlarms === 0 ? "green" : "red") : caught ? "yellow" : "green";
    lines.push("", `${s.percent} % stage (${s.limits}; ${formatDuration(s.durationMs)})`, `  ${paint(io, tone, s.summary)}`);
    if (s.firstBreach) lines.push(`  first breach: ${at(s.firstBreach.to)}: ${s.firstBreach.words}`);
    lines.push(
      `  windows: ${formatCount(s.windows.pass)} passed, ${formatCount(s.windows.breach)} breached, ${formatCount(s.windows.inconclusive)} inconclusive; ` +
        `${formatCount(s.rollbacks.length)} rollback(s), ${formatCount(s.holds.length)} hold(s)`,
    );
    for (const f of s.rollbacks.filter((x) => x.falseAlarm).slice(0, 5)) lines.push(`  false alarm at ${at(f.to)}: ${f.words}`);
    if (s.holds[0]) lines.push(`  first hold at ${at(s.holds[0].at)}: ${s.holds[0].reason}`);
  }
  lines.push("", paint(io, "bold", r.summary));
  return lines;
}
