/**
 * The `flightdeck` command line. Exit codes: 0 ran, 1 failed, 2 bad arguments (with a message naming the argument).
 */
import { ConfigError } from "@/server/config/load";
import { ApiError } from "./api-client";
import { runDoctor } from "./doctor";
import { processIo } from "./io";
import { NOTIFY_USAGE, runNotify } from "./notify";
import { runRollback } from "./rollback";
import { ROLLOUT_USAGE, runRollout } from "./rollout";
import { parseSimulateArgs, ArgumentError } from "./simulate-args";
import { formatSimulation, simulate } from "./simulate";
import { runUsers, USERS_USAGE } from "./users";

const USAGE = `Usage: flightdeck <command> [options]

Commands:
  simulate   Run a rollout on simulated providers in virtual time and print the timeline and outcome
             --strategy sequential|delayed|parallel  --delay <minutes>  --regions <id,id,...>|all
             --config <file>  --fault <region>:<stage %>:<key>=<value>[,...] (keys: error_rate latency_p95 cpu memory health
             requests no_data=<k>/<n> traffic_errors baseline_error_rate baseline_latency_p95)  --seed <n>
             --hold-approvals  --json
${ROLLOUT_USAGE}
  rollback   --region <id> [--service <id>]   roll one region back to its old colour (in the canary, or to the previous release after success)
${NOTIFY_USAGE}
${USERS_USAGE}
  doctor     [--config <file>]   the production readiness checklist: config, secrets, SSH, load balancers, Prometheus, webhooks

Every command takes --json. rollout and rollback talk to the server named by FLIGHTDECK_URL with the API token in
FLIGHTDECK_TOKEN.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "simulate": {
        const opts = parseSimulateArgs(rest);
        const result = await simulate(opts);
        process.stdout.write((opts.json ? JSON.stringify(result, null, 2) : formatSimulation(result, Boolean(process.stdout.isTTY))) + "\n");
        return 0;
      }
      case "rollout":
        return await runRollout(rest, processIo());
      case "rollback":
        return await runRollback(rest, processIo());
      case "doctor":
        return await runDoctor(rest, processIo());
      case "notify":
        return await runNotify(rest, processIo());
      case "users":
        return await runUsers(rest, processIo());
      case undefined:
      case "help":
      case "--help":
        process.stdout.write(USAGE);
        return command ? 0 : 2;
      default:
        process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ArgumentError) {
      process.stderr.write(`flightdeck ${command}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`flightdeck ${command}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ApiError) {
      process.stderr.write(`flightdeck ${command}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
