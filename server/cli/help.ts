/**
 * Every `flightdeck` command and subcommand with its usage: `flightdeck --help`, `flightdeck <command> --help`
 * and `flightdeck <command> <subcommand> --help` (or `-h`, or `flightdeck help <command> [<subcommand>]`) print
 * it and exit 0. One table, so the help and the test that walks every command cannot drift apart.
 */

type Usage = { usage: string; about: string };
type CommandHelp = Usage & { subcommands?: Record<string, Usage> };

const REGION = "<id|us|eu|apac>";

export const COMMANDS: Record<string, CommandHelp> = {
  simulate: {
    usage:
      "flightdeck simulate [--strategy sequential|delayed|parallel] [--delay <minutes>] [--regions <id,id,...>|all] [--config <file>]\n" +
      "                    [--fault <region>:<stage %>:<key>=<value>[,...]]... [--seed <n>] [--hold-approvals] [--record] [--json]",
    about:
      "Run a rollout on simulated providers in virtual time and print the timeline and outcome.\n" +
      "--fault keys: error_rate latency_p95 cpu memory health requests no_data=<k>/<n> traffic_errors baseline_error_rate baseline_latency_p95\n" +
      "--record: a run that rolled back is recorded in the server's database as the first service's rollback drill (the migration path to parallel).",
  },
  rollout: {
    usage: "flightdeck rollout start|status|wait|pause|resume|promote|abort ...",
    about: "Start, follow and steer rollouts on the server (FLIGHTDECK_URL, FLIGHTDECK_TOKEN).",
    subcommands: {
      start: {
        usage:
          "flightdeck rollout start --service <id> --version <v> --digest sha256:<hex> [--url <artifact url>] [--ref <git ref>] [--commit <sha>]\n" +
          `                         --strategy sequential|delayed|parallel [--delay <minutes>] [--regions ${REGION}[,...]|all] [--break-glass <reason>]\n` +
          "                         [--override-strategy <reason>] [--manifest flightdeck.json|<artifact>.tar.gz] [--override-schema <reason>] [--json]",
        about:
          "Register the artifact and start a rollout of it (a deploy token). During a freeze, an sre's token may start it with --break-glass <reason>;\n" +
          "a strategy the migration path does not open yet (parallel), an admin's token with --override-strategy <reason>.\n" +
          "--manifest sends the release manifest (its migrations, readyFor) from flightdeck.json or the artifact's root; a contract migration the\n" +
          "live release does not declare readyFor is refused unless an admin's token gives --override-schema <reason>.",
      },
      status: { usage: "flightdeck rollout status [<rollout id>] [--json]", about: "One rollout and its regions, or the recent ones." },
      wait: {
        usage: "flightdeck rollout wait <rollout id> [--interval <seconds>] [--timeout <minutes>] [--json]",
        about: "Print each region's progress until the rollout ends; exit 0 when it succeeded, 1 when it failed or was aborted.",
      },
      pause: { usage: `flightdeck rollout pause <rollout id> --region ${REGION} [--reason <text>] [--json]`, about: "Stop a region's stage clock." },
      resume: { usage: `flightdeck rollout resume <rollout id> --region ${REGION} [--json]`, about: "Go on from where the region was paused." },
      promote: {
        usage: `flightdeck rollout promote <rollout id> --region ${REGION} [--reason <text>] [--json]`,
        about: "Skip the rest of the current stage; the validation stage at 100 % needs the sre role and --reason.",
      },
      abort: { usage: `flightdeck rollout abort <rollout id> --region ${REGION} [--json]`, about: "Stop a region; its traffic goes back to the old colour." },
    },
  },
  rollback: {
    usage:
      `flightdeck rollback --region ${REGION} [--service <id>] [--wait [--timeout <minutes>]] [--json]\n` +
      "       flightdeck rollback --all --service <id> [--idempotency-key <key>] [--wait [--timeout <minutes>]] [--json]",
    about:
      "Roll one region back to its old colour (in the canary, or to the previous release after success), or with --all every region\n" +
      "of the service at once, each verified, one incident card for all. --wait follows until every region is back. A rollback token is enough.",
  },
  freeze: {
    usage: "flightdeck freeze now|lift|status ...",
    about: "The stop-all switch: every running rollout holds before its next step and no rollout starts (a rollback token of an sre or admin).",
    subcommands: {
      now: {
        usage: "flightdeck freeze now --reason <text> [--json]",
        about: "Declare a stop-all at once, on every replica, until someone lifts it.",
      },
      lift: {
        usage: "flightdeck freeze lift [--json]",
        about: "Lift the stop-all; held rollouts go on (unless a freeze window of the config still holds them).",
      },
      status: { usage: "flightdeck freeze status [--json]", about: "What is frozen now (the stop-all, the config's windows) and until when." },
    },
  },
  quarantine: {
    usage: "flightdeck quarantine list|lift ...",
    about: "Releases rolled back for a breach: no rollout of them starts anywhere until an sre or admin lifts the quarantine.",
    subcommands: {
      list: { usage: "flightdeck quarantine list [--service <id>] [--all] [--json]", about: "The releases quarantined now (--all: lifted ones too) and why." },
      lift: {
        usage: "flightdeck quarantine lift <id> --reason <text> [--json]",
        about: "Lift a quarantine (a rollback token of an sre or admin): the release may be started again; the reason is recorded.",
      },
    },
  },
  ack: {
    usage: "flightdeck ack <rollout-id> [--region <id>] [--json]",
    about:
      "Acknowledge the rollout's open incidents (regions rolled back for a breach or in an emergency; a rollback token of an sre or admin):\n" +
      "no Jira ticket or page follows (docs/notifications.md#escalation).",
  },
  resolve: {
    usage: "flightdeck resolve <rollout-id> --reason <text> [--region <id>] [--json]",
    about: "Resolve the rollout's incidents with a reason: the escalation stops and a page already sent is resolved in PagerDuty.",
  },
  backtest: {
    usage:
      `flightdeck backtest --region ${REGION} --from <time> [--to <time>] [--colour blue|green] [--service <id>]\n` +
      "                    [--incident-from <time> [--incident-to <time>]] [--config <file>] [--json]",
    about:
      "Replay the region's stage thresholds and analysis over its recorded Prometheus history (any token): when each stage would\n" +
      "have breached, held or passed, how long detection took from --incident-from, and the false alarms outside the incident.\n" +
      "Times: ISO 8601 (2026-12-01T14:00Z; no zone is UTC) or relative (-30d, -6h, -90m, now; --to defaults to now).\n" +
      "--colour: whose history is judged (default: the live colour); --config: try the stages and analysis of another config file.",
  },
  notify: {
    usage: "flightdeck notify test [--channel incidents|deployments] [--config <file>] [--json]",
    about: "Cards to the configured Slack and Teams webhooks.",
    subcommands: {
      test: {
        usage: "flightdeck notify test [--channel incidents|deployments] [--config <file>] [--json]",
        about: "Send the example incident card to every configured webhook (of one purpose) and print each answer.",
      },
    },
  },
  users: {
    usage: "flightdeck users list|add|disable|enable ...",
    about: "Manage users on the server itself (the fleet's database), audited as cli:<your login>.",
    subcommands: {
      list: { usage: "flightdeck users list [--config <file>] [--json]", about: "Every user with their roles and status." },
      add: {
        usage: "flightdeck users add --email <e> --name <n> [--role <r>]... [--password-stdin] [--config <file>] [--json]",
        about: "Create a local user; without --password-stdin a strong password is generated and printed once.",
      },
      disable: { usage: "flightdeck users disable <email|id> [--config <file>] [--json]", about: "Sign the user out everywhere and stop their API tokens." },
      enable: { usage: "flightdeck users enable <email|id> [--config <file>] [--json]", about: "Let a disabled user sign in again." },
    },
  },
  db: {
    usage: "flightdeck db copy --from <sqlite:path|path> --to <postgres://...> [--json]",
    about: "Move a SQLite installation to PostgreSQL (run with Flightdeck stopped).",
    subcommands: {
      copy: {
        usage: "flightdeck db copy --from <sqlite:path|path> --to <postgres://user:password@host:5432/database> [--json]",
        about:
          "Copy every table of a SQLite file (read-only, migrated to this version) into an empty PostgreSQL database, migrated\n" +
          "first, in one transaction: a failure leaves it empty. Refuses a target that holds any row. Prints the rows per table\n" +
          "and checks the row counts of both sides; exit 1 when it refused or failed.",
      },
    },
  },
  doctor: {
    usage: "flightdeck doctor [--config <file>] [--json]",
    about: "The production readiness checklist: config, secrets, SSH, load balancers, Prometheus, webhooks.",
  },
};

const FOOTER = `Every command takes --json. rollout and rollback talk to the server named by FLIGHTDECK_URL with the API token in
FLIGHTDECK_TOKEN. Regions may be named by id or by the spec's short names (us, eu, apac).
`;

/** The whole list: `flightdeck --help`. */
export function overallUsage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.about.split("\n")[0]}`);
  return `Usage: flightdeck <command> [options]    (flightdeck <command> --help for its options)\n\nCommands:\n${lines.join("\n")}\n\n${FOOTER}`;
}

/** One command's (and its subcommands') usage, or one subcommand's. */
export function commandUsage(name: string, sub?: string): string {
  const command = COMMANDS[name];
  const one = sub ? command.subcommands?.[sub] : undefined;
  if (one) return `Usage: ${one.usage}\n\n${one.about}\n\n${FOOTER}`;
  const subs = Object.values(command.subcommands ?? {}).map((s) => `  ${s.usage}\n      ${s.about}`);
  return `Usage: ${command.usage}\n\n${command.about}\n${subs.length > 0 ? `\n${subs.join("\n")}\n` : ""}\n${FOOTER}`;
}

/**
 * The help `argv` asks for, or null when it asks for none: `--help`/`-h` anywhere, or `help [<command> [<sub>]]`.
 * An unknown command's help is the overall usage.
 */
export function helpRequested(argv: readonly string[]): string | null {
  const [first, ...rest] = argv;
  const asked = first === "help" || argv.includes("--help") || argv.includes("-h");
  if (!asked) return null;
  const words = (first === "help" ? rest : argv).filter((a) => !a.startsWith("-"));
  const [name, sub] = words;
  if (!name || !Object.hasOwn(COMMANDS, name)) return overallUsage();
  return commandUsage(name, sub && COMMANDS[name].subcommands && Object.hasOwn(COMMANDS[name].subcommands, sub) ? sub : undefined);
}
