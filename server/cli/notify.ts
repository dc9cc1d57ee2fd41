/**
 * `flightdeck notify test [--channel incidents|deployments] [--config <file>] [--json]`: sends the spec's
 * example incident card through the real sender to every configured webhook (of one purpose) and prints each
 * webhook's answer. Exit 1 when any failed or none is configured.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseConfig, readConfigFile, resolveConfigPath } from "@/server/config/load";
import { sendExampleCard, type Purpose } from "@/server/engine/outbox/send-example-card";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

export async function runNotify(argv: string[], io: CliIo, opts: { timeoutMs?: number } = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { channel: { type: "string" }, config: { type: "string" }, json: { type: "boolean" } } });
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals[0] !== "test" || positionals.length > 1) throw new ArgumentError(`expected "notify test", got "notify ${positionals.join(" ")}"`);
  if (values.channel !== undefined && values.channel !== "incidents" && values.channel !== "deployments") {
    throw new ArgumentError(`--channel: expected incidents or deployments, got "${values.channel}"`);
  }
  const purpose = values.channel as Purpose | undefined;
  const file = values.config ? path.resolve(values.config) : resolveConfigPath(io.env);
  if (!existsSync(file)) return fail(io, `no config file at ${file}; set FLIGHTDECK_CONFIG or use --config`);
  const { config, problems } = parseConfig(readConfigFile(file), io.env, { requireEnv: false });
  if (!config) return fail(io, `${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);

  const results = await sendExampleCard(config, io.env, purpose, opts);
  if (results.length === 0) {
    return fail(
      io,
      `no notification channel${purpose ? ` with purpose ${purpose}` : ""} is configured in ${file}: add one under notifications.channels (id, kind slack|teams, purpose, webhookUrlEnv)`,
    );
  }
  const ok = results.every((r) => r.ok);
  if (values.json) io.out(JSON.stringify({ ok, results }, null, 2));
  else {
    for (const r of results) {
      const mark = r.ok ? paint(io, "green", "sent") : paint(io, "red", "FAIL");
      const answer = r.status !== null ? `HTTP ${r.status}${r.body ? ` ${JSON.stringify(r.body)}` : ""}` : (r.error ?? "");
      io.out(`${mark}  ${r.channelId} (${r.kind}, ${r.purpose}${r.name ? `, ${r.name}` : ""}): ${answer}`);
    }
    io.out(
      ok
        ? paint(io, "green", `The test card reached ${results.length} webhook(s).`)
        : paint(io, "red", `${results.filter((r) => !r.ok).length} of ${results.length} webhook(s) failed.`),
    );
  }
  return ok ? 0 : 1;
}

function fail(io: CliIo, message: string): number {
  io.err(`flightdeck notify: ${message}`);
  return 1;
}
