/**
 * The nginx upstream file Flightdeck owns, as pure functions: render it for a split (weight 0 is `down`,
 * since nginx takes weights from 1), parse weights back out of it, and the shell script that swaps it in only
 * when `nginx -t` accepts it.
 */
import { shellQuote as q } from "../ssh-exec";
import { ProviderError, type Colour } from "../types";

const PROVIDER = "traffic-nginx";
/** The exit code of the apply script when `nginx -t` rejects the new file (the old one is back in place). */
export const NGINX_TEST_FAILED_EXIT = 66;
export const NGINX_RELOAD_FAILED_EXIT = 67;

const UPSTREAM_NAME = /^[A-Za-z0-9_.-]+$/;
const ADDRESS = /^(unix:\/[A-Za-z0-9_./-]+|[A-Za-z0-9_.:[\]-]+)$/;

export type UpstreamSpec = { upstream: string; servers: Record<Colour, string> };
export type Weights = { blue: number; green: number };

function check(spec: UpstreamSpec): void {
  if (!UPSTREAM_NAME.test(spec.upstream))
    throw new ProviderError(PROVIDER, `upstream name ${JSON.stringify(spec.upstream)} must be letters, digits, "_", "." or "-"`);
  for (const colour of ["blue", "green"] as const) {
    if (!ADDRESS.test(spec.servers[colour]))
      throw new ProviderError(PROVIDER, `${colour}'s server address ${JSON.stringify(spec.servers[colour])} is not host:port`);
  }
  if (spec.servers.blue === spec.servers.green) throw new ProviderError(PROVIDER, `blue and green have the same server address ${spec.servers.blue}`);
}

export function renderUpstream(spec: UpstreamSpec, weights: Weights): string {
  check(spec);
  if (weights.blue === 0 && weights.green === 0) throw new ProviderError(PROVIDER, "refusing to mark both blue and green down: nothing would serve");
  const line = (colour: Colour) => {
    const w = weights[colour];
    if (!Number.isInteger(w) || w < 0) throw new ProviderError(PROVIDER, `weight ${w} for ${colour} is not a whole number from 0`);
    return `    server ${spec.servers[colour]} ${w === 0 ? "down" : `weight=${w}`}; # ${colour}`;
  };
  return [
    "# Written by Flightdeck: each canary stage rewrites this file (edits here are overwritten).",
    `# blue ${weights.blue} % / green ${weights.green} %`,
    `upstream ${spec.upstream} {`,
    line("blue"),
    line("green"),
    "}",
    "",
  ].join("\n");
}

/** The weights of blue and green in the named upstream of a file; `down` reads as 0, no weight as 1. */
export function parseUpstream(text: string, spec: UpstreamSpec): Weights {
  const withoutComments = text.replace(/#[^\n]*/g, "");
  const block = new RegExp(`upstream\\s+${spec.upstream.replace(/[.]/g, "\\.")}\\s*\\{([^}]*)\\}`).exec(withoutComments);
  if (!block) throw new ProviderError(PROVIDER, `the upstream file has no "upstream ${spec.upstream} { ... }" block`);
  const servers = new Map<string, number>();
  for (const statement of block[1].split(";")) {
    const words = statement.trim().split(/\s+/);
    if (words[0] !== "server" || !words[1]) continue;
    const params = words.slice(2);
    const weight = params.includes("down") ? 0 : Number(/^weight=(\d+)$/.exec(params.find((p) => p.startsWith("weight=")) ?? "weight=1")?.[1] ?? NaN);
    servers.set(words[1], weight);
  }
  const read = (colour: Colour) => {
    const w = servers.get(spec.servers[colour]);
    if (w === undefined || Number.isNaN(w))
      throw new ProviderError(PROVIDER, `upstream ${spec.upstream} has no readable server line for ${colour} (${spec.servers[colour]})`);
    return w;
  };
  return { blue: read("blue"), green: read("green") };
}

/** What the apply script prints before the file as it reads after the change. */
export const READBACK_MARK = "::flightdeck-readback::";

/**
 * One round trip: the new file arrives on stdin as `<file>.flightdeck-new`; the old file is kept aside while
 * `nginx -t` judges the new one; on failure the old file goes back and nginx's words go to stderr, else nginx
 * reloads; then the file is printed back. `nginxCommand` comes from the config (e.g. `sudo nginx`).
 */
export function applyUpstreamScript(file: string, nginxCommand: string): string {
  return [
    "set -u",
    `f=${q(file)}; new="$f.flightdeck-new"; old="$f.flightdeck-previous"`,
    `cat > "$new" || exit 1`,
    `had=0; if [ -e "$f" ]; then cp -p "$f" "$old" && had=1 || exit 1; fi`,
    `restore() { if [ "$had" = 1 ]; then mv -f "$old" "$f"; else rm -f "$f"; fi; }`,
    `mv -f "$new" "$f" || exit 1`,
    `if ! out=$(${nginxCommand} -t 2>&1); then restore; printf '%s\\n' "$out" >&2; exit ${NGINX_TEST_FAILED_EXIT}; fi`,
    `if ! out=$(${nginxCommand} -s reload 2>&1); then restore; printf '%s\\n' "$out" >&2; exit ${NGINX_RELOAD_FAILED_EXIT}; fi`,
    `rm -f "$old"`,
    `echo "${READBACK_MARK}"`,
    `cat "$f"`,
  ].join("\n");
}

/** The file as the apply script read it back, or null when it never got that far. */
export function readbackOf(stdout: string): string | null {
  const at = stdout.indexOf(READBACK_MARK + "\n");
  return at < 0 ? null : stdout.slice(at + READBACK_MARK.length + 1);
}

/** Print the upstream file, or exit 3 when there is none. */
export function readUpstreamScript(file: string): string {
  return `f=${q(file)}; [ -e "$f" ] || { echo "no upstream file $f" >&2; exit 3; }; cat "$f"`;
}
