/**
 * What a colour's host runs, read over SSH without changing anything: where `current` points, the digest the
 * deploy recorded in that release when it verified it, whether that release's restart ran to its end, and one
 * probe of the health URL. A deploy interrupted by a crash is judged from this (types.ts `alreadyDeployed`).
 */
import { shellQuote as q } from "../ssh-exec";
import type { Colour, DeployStatus } from "../types";
import { colourDirOf, DIGEST_FILE, fillPlaceholders, RESTARTED_FILE } from "./deploy-script";

export type StatusPlanInput = {
  installDir: string;
  colour: Colour;
  /** The release asked about: fills `{version}` and `{releaseDir}` in the health URL. */
  version: string;
  healthUrl?: string;
  host: string;
  port?: number;
};

/** One script printing `key=value` lines; `healthUrl` is the URL it probes (null: no health check configured). */
export function planStatus(input: StatusPlanInput): { command: string; healthUrl: string | null } {
  const colourDir = colourDirOf(input.installDir, input.colour);
  const releaseDir = `${colourDir}/releases/${input.version}`;
  const healthUrl = input.healthUrl
    ? fillPlaceholders(input.healthUrl, { colour: input.colour, host: input.host, port: input.port, version: input.version, releaseDir })
    : null;
  const lines = [
    `d=${q(colourDir)}`,
    `cur=$(readlink "$d/current" 2>/dev/null || true)`,
    `printf 'current=%s\\n' "$cur"`,
    `if [ -n "$cur" ]; then`,
    `  printf 'digest=%s\\n' "$(cat "$d/$cur/${DIGEST_FILE}" 2>/dev/null || true)"`,
    `  printf 'restarted=%s\\n' "$(cat "$d/$cur/${RESTARTED_FILE}" 2>/dev/null || true)"`,
    `fi`,
  ];
  if (healthUrl) {
    lines.push(
      `url=${q(healthUrl)}`,
      `if command -v curl >/dev/null 2>&1; then code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$url" || true)`,
      `elif wget -q -T 5 -O /dev/null "$url"; then code=200; else code=; fi`,
      `printf 'health=%s\\n' "$code"`,
    );
  }
  return { command: lines.join("\n"), healthUrl };
}

/** The script's output as a status: `current` only when it points into releases/ and its digest file was read. */
export function parseStatus(stdout: string, healthUrl: string | null): DeployStatus {
  const values = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const version = /^releases\/([^/]+)$/.exec(values.get("current") ?? "")?.[1];
  const digest = values.get("digest") ?? "";
  const current = version && digest ? { version, digest } : null;
  const code = Number(values.get("health"));
  return {
    current,
    restarted: current !== null && values.get("restarted") === digest,
    health: healthUrl === null ? null : { url: healthUrl, status: Number.isInteger(code) && code >= 100 ? code : null },
  };
}
