/**
 * What the load balancers were told, recorded on their side of the wire, for the chaos suite: Flightdeck's
 * process is killed at any instant, so its own records cannot be the witness. For HAProxy, a unix socket that
 * Flightdeck talks to instead of the runtime API's, passing every byte through and logging each `set weight`
 * line as HAProxy receives it. For nginx, a wrapper of the nginx binary that, after each successful
 * `-s reload`, logs the upstream file nginx has just loaded.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import type { LabColour } from "../layout";

/** One change of a region's weights as the balancer received it: Flightdeck's command, or the balancer restarted. */
export type WeightMove = { at: number; region: string; by: "flightdeck" | "restart"; weights: Partial<Record<LabColour, number>> };

/** `set weight <backend>/<server> <n>` commands in one runtime-API request (commands split by `;` or new lines). */
export function weightsSet(request: string): Partial<Record<LabColour, number>> {
  const weights: Partial<Record<LabColour, number>> = {};
  for (const m of request.matchAll(/set weight \S+\/(blue|green) (\d+)%?/g)) weights[m[1] as LabColour] = Number(m[2]);
  return weights;
}

/** A unix socket at `tapPath` relaying to HAProxy's runtime API at `socket`; each request that sets a weight is logged. */
export async function startHaproxyTap(input: { region: string; socket: string; tapPath: string; onMove: (move: WeightMove) => void }) {
  rmSync(input.tapPath, { force: true });
  const server = net.createServer((client) => {
    const upstream = net.connect(input.socket);
    let request = "";
    client.on("data", (chunk) => {
      request += chunk.toString("utf8");
      // HAProxy's non-interactive mode takes one request line per connection: log it as it is passed on.
      const end = request.indexOf("\n");
      if (end >= 0) {
        const weights = weightsSet(request.slice(0, end));
        if (Object.keys(weights).length) input.onMove({ at: Date.now(), region: input.region, by: "flightdeck", weights });
        request = request.slice(end + 1);
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on("end", () => upstream.end());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(input.tapPath, resolve));
  return {
    path: input.tapPath,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A wrapper of the nginx binary (`nginxCommand`'s first word) at `wrapperPath`: it runs nginx with the same
 * arguments and, after a successful `-s reload`, appends `<ms> <upstream file on one line>` to `logPath`.
 */
export function writeNginxTap(input: { nginxBinary: string; upstreamFile: string; wrapperPath: string; logPath: string }): void {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  writeFileSync(
    input.wrapperPath,
    `#!/bin/sh
# The chaos suite's witness of nginx's weights: nginx itself, then what a reload loaded.
${q(input.nginxBinary)} "$@" || exit $?
case " $* " in
  *" -s reload "*) printf '%s %s\\n' "$(date +%s%3N)" "$(tr '\\n' ' ' < ${q(input.upstreamFile)})" >> ${q(input.logPath)} ;;
esac
`,
  );
  chmodSync(input.wrapperPath, 0o755);
}

/** The nginx tap's log as weight moves: each `server 127.0.0.1:<port> weight=<w>` (or `down`: 0) by its colour's port. */
export function readNginxTap(logPath: string, region: string, ports: Record<LabColour, number>): WeightMove[] {
  if (!existsSync(logPath)) return [];
  const colourOf = new Map(Object.entries(ports).map(([colour, port]) => [port, colour as LabColour]));
  return readFileSync(logPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const weights: Partial<Record<LabColour, number>> = {};
      for (const m of line.matchAll(/server 127\.0\.0\.1:(\d+)(?: weight=(\d+))?( down)?;/g)) {
        const colour = colourOf.get(Number(m[1]));
        if (colour) weights[colour] = m[3] ? 0 : Number(m[2] ?? 1);
      }
      return { at: Number(line.slice(0, line.indexOf(" "))), region, by: "flightdeck" as const, weights };
    });
}
