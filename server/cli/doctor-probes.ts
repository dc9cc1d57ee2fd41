/**
 * What `flightdeck doctor` does to the world, through the providers' own connections: an SSH login with the
 * configured key and pinned host key and a write in the install dir; HAProxy's backend read over its runtime
 * API; nginx's `-t`, its upstream file and `-T` over SSH; a PromQL query's series. Each answers with what it saw and never throws: a
 * ProviderError's words (refused key, host key mismatch, unreachable) become the failing line. Nothing secret is
 * in any answer: hosts, users, paths and fingerprints only.
 */
import { colourDirOf } from "@/server/providers/deploy-ssh/deploy-script";
import { shellQuote as q, tail, withSsh, type SshTarget } from "@/server/providers/ssh-exec";
import { getWeightCommand, parseWeight } from "@/server/providers/traffic-haproxy/commands";
import { describeAddress, withRuntimeApi, type RuntimeApiAddress } from "@/server/providers/traffic-haproxy/runtime-api";
import { parseUpstream, readUpstreamScript, type UpstreamSpec } from "@/server/providers/traffic-nginx/upstream";
import type { Colour } from "@/server/providers/types";

/** `warn`: it works, but part of it could not be checked. */
export type ProbeResult = { ok: boolean; detail: string; warn?: boolean };

const failure = (err: unknown): ProbeResult => ({ ok: false, detail: (err as Error).message });

/** A probe that may throw (a missing variable, an unreadable key): its error is the failing detail. */
export async function probe(run: () => Promise<ProbeResult>): Promise<ProbeResult> {
  try {
    return await run();
  } catch (err) {
    return failure(err);
  }
}

/**
 * Log in as the deploy does and prove the colour's install dir takes a file: the deploy's own first step
 * (`mkdir -p <dir>/.incoming <dir>/releases`), then a file written and removed in `.incoming`.
 */
export async function sshInstallDir(target: SshTarget, installDir: string, colour: Colour): Promise<ProbeResult> {
  const dir = colourDirOf(installDir, colour);
  const where = `${target.username}@${target.host}:${target.port}`;
  const script = [`d=${q(dir)}; f="$d/.incoming/.flightdeck-doctor.$$"`, `mkdir -p "$d/.incoming" "$d/releases" && : > "$f" && rm -f "$f"`].join("\n");
  const result = await withSsh("deploy-ssh", target, (session) => session.exec(script, { timeoutMs: target.connectTimeoutMs, what: "the install dir check" }));
  if (result.code !== 0) return { ok: false, detail: `logged in to ${where}, but ${dir} is not writable: ${tail(result.stderr, 3) || `exit ${result.code}`}` };
  return { ok: true, detail: `logged in to ${where} (host key ${target.hostKeySha256} pinned); ${dir} is writable` };
}

/** The backend holds both colours' servers: `get weight <backend>/<server>` answers a weight for each. */
export async function haproxyBackend(address: RuntimeApiAddress, backend: string, servers: Record<Colour, string>, timeoutMs: number): Promise<ProbeResult> {
  const where = describeAddress(address);
  return withRuntimeApi(address, timeoutMs, async (send) => {
    const seen: string[] = [];
    const missing: string[] = [];
    for (const colour of ["blue", "green"] as const) {
      const parsed = parseWeight(await send(getWeightCommand({ backend, server: servers[colour] })));
      if ("refused" in parsed) missing.push(`${colour} (server ${servers[colour]}: ${parsed.refused})`);
      else seen.push(`${colour} (server ${servers[colour]}, weight ${parsed.current})`);
    }
    return missing.length
      ? { ok: false, detail: `HAProxy at ${where}: backend ${backend} lacks ${missing.join(", ")}` }
      : { ok: true, detail: `HAProxy at ${where}: backend ${backend} holds ${seen.join(", ")}` };
  });
}

/**
 * On the load balancer host as the nginx provider logs in: `<nginxCommand> -t` passes (the provider's own test
 * before each reload), the upstream file holds the upstream with both colours' server lines, and `-T` shows the
 * config includes that file. A sudo rule that allows `-t` but not `-T` leaves the include unchecked: a warning.
 */
export async function nginxUpstream(target: SshTarget, nginxCommand: string, upstreamFile: string, spec: UpstreamSpec): Promise<ProbeResult> {
  return withSsh("traffic-nginx", target, async (session) => {
    const where = session.where;
    const exec = (command: string, what: string) => session.exec(command, { timeoutMs: 30_000, what });
    const test = await exec(`${nginxCommand} -t`, "nginx -t");
    if (test.code !== 0) return { ok: false, detail: `${nginxCommand} -t fails on ${where}: ${tail(test.stderr, 4) || `exit ${test.code}`}` };
    const file = await exec(readUpstreamScript(upstreamFile), `reading ${upstreamFile}`);
    if (file.code !== 0) return { ok: false, detail: `nginx -t passes on ${where}, but ${tail(file.stderr, 2) || `${upstreamFile} cannot be read`}` };
    let weights;
    try {
      weights = parseUpstream(file.stdout, spec);
    } catch (err) {
      return { ok: false, detail: `nginx -t passes on ${where}, but ${upstreamFile}: ${(err as Error).message}` };
    }
    const holds = `upstream ${spec.upstream} holds blue ${spec.servers.blue} (weight ${weights.blue}), green ${spec.servers.green} (weight ${weights.green})`;
    const dump = await exec(`${nginxCommand} -T`, "nginx -T");
    if (dump.code !== 0)
      return {
        ok: true,
        warn: true,
        detail: `nginx -t passes on ${where}, ${holds}; not checked that nginx includes ${upstreamFile}: ${nginxCommand} -T was refused`,
      };
    if (!dump.stdout.includes(`# configuration file ${upstreamFile}:\n`))
      return { ok: false, detail: `nginx -t passes on ${where}, but its config does not include ${upstreamFile}: weights written there would change nothing` };
    return { ok: true, detail: `nginx -t passes on ${where} with ${upstreamFile}: ${holds}` };
  });
}

/** An instant query's series: how many, and their values as Prometheus wrote them ("NaN" on a colour without traffic); errors say what went wrong, not where. */
export type SeriesAnswer = { series: number; values: string[] } | { error: string };

export async function promSeries(baseUrl: string, query: string, timeoutMs: number): Promise<SeriesAnswer> {
  const url = `${baseUrl.replace(/\/+$/, "")}/api/v1/query`;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ query }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => null)) as {
      status?: string;
      error?: string;
      data?: { resultType?: string; result?: unknown };
    } | null;
    if (!body) return { error: `answered HTTP ${res.status} without its JSON API` };
    if (body.status !== "success") return { error: `refused the query: ${body.error ?? `HTTP ${res.status}`}` };
    const { resultType, result } = body.data ?? {};
    if (resultType === "scalar" && Array.isArray(result)) return { series: 1, values: [String(result[1])] };
    if (!Array.isArray(result)) return { error: `answered a ${resultType} without a result list` };
    return { series: result.length, values: result.map((r: { value?: unknown[] }) => String(r.value?.[1])) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: `cannot be reached: ${cause?.code ?? (err as Error).message}` };
  }
}
