/**
 * The `flightdeck` command line. Exit codes: 0 ran, 1 failed, 2 bad arguments (with a message naming the argument).
 */
import { ConfigError } from "@/server/config/load";
import { ApiError } from "./api-client";
import { runBacktest } from "./backtest";
import { runDb } from "./db";
import { runDoctor } from "./doctor";
import { runFreeze } from "./freeze";
import { runIncident } from "./incident";
import { runQuarantine } from "./quarantine";
import { helpRequested, overallUsage } from "./help";
import { processIo } from "./io";
import { runNotify } from "./notify";
import { runRollback } from "./rollback";
import { runRollout } from "./rollout";
import { parseSimulateArgs, ArgumentError } from "./simulate-args";
import { formatSimulation, simulate } from "./simulate";
import { recordSimulatedDrill } from "./simulate-record";
import { runUsers } from "./users";

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `--help` (or -h, or `help <command>`) anywhere: the usage of what was asked about, exit 0.
  const help = helpRequested(argv);
  if (help !== null) {
    process.stdout.write(help);
    return 0;
  }
  try {
    switch (command) {
      case "simulate": {
        const opts = parseSimulateArgs(rest);
        const result = await simulate(opts);
        process.stdout.write((opts.json ? JSON.stringify(result, null, 2) : formatSimulation(result, Boolean(process.stdout.isTTY))) + "\n");
        return opts.record ? await recordSimulatedDrill(opts, result, processIo()) : 0;
      }
      case "rollout":
        return await runRollout(rest, processIo());
      case "rollback":
        return await runRollback(rest, processIo());
      case "freeze":
        return await runFreeze(rest, processIo());
      case "quarantine":
        return await runQuarantine(rest, processIo());
      case "ack":
      case "resolve":
        return await runIncident(command, rest, processIo());
      case "backtest":
        return await runBacktest(rest, processIo());
      case "doctor":
        return await runDoctor(rest, processIo());
      case "notify":
        return await runNotify(rest, processIo());
      case "users":
        return await runUsers(rest, processIo());
      case "db":
        return await runDb(rest, processIo());
      case undefined:
        process.stdout.write(overallUsage());
        return 2;
      default:
        process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n${overallUsage()}`);
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
