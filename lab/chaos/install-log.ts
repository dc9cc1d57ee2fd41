/**
 * The hosts' own record of each install, for the chaos suite: the deploy's restart command is prefixed with a
 * line appended on the host (region, colour, version, digest) before the colour's restart script runs. A deploy that
 * reaches its restart step on the host leaves one line, whatever happens to Flightdeck afterwards.
 */
import { existsSync, readFileSync } from "node:fs";

/** The region's restart command, counting: `{colour}` and the FLIGHTDECK_* variables are the SSH deploy's. */
export function countingRestartCommand(region: string, restartCommand: string, logPath: string): string {
  return `echo "${region} {colour} $FLIGHTDECK_VERSION $FLIGHTDECK_DIGEST" >> '${logPath}' && ${restartCommand}`;
}

export type Install = { region: string; colour: string; version: string; digest: string };

export function readInstalls(logPath: string): Install[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [region, colour, version, digest] = line.split(" ");
      return { region, colour, version, digest };
    });
}
