/**
 * The process environment Flightdeck itself reads (the fleet config's `*Env` references are checked by the
 * config loader). Checked once at start-up: every problem by variable name. Code reads it through one of two
 * doors, never through `process.env` itself:
 *
 * - `serverEnv()`: the typed variables below, parsed with `EnvSchema`. Parsed on first use and again only when
 *   one of these variables changes (start-up points `FLIGHTDECK_DB` at the fleet's file; tests set variables
 *   between cases), so in a running server it is parsed once.
 * - `rawEnv()`: the whole live environment, for what cannot be typed because the operator chose the names: the
 *   variables the fleet config references (`*Env`: webhook URLs, API tokens, SSH hosts and keys, metrics tokens),
 *   looked up at each call where they are used (as `ssh-target.ts` does), and what checks or reports on the
 *   whole environment (the config loader, `flightdeck doctor`, the settings page), and start-up's one write
 *   (`selectFleetDatabase`).
 *
 * Left as direct `process.env` reads, on purpose: `NODE_ENV` and `NEXT_RUNTIME`, which Next.js replaces at build
 * time (instrumentation.ts drops its Node.js-only imports from the edge bundle that way).
 */
import { z } from "zod";
import { formatPath, issuesToProblems, type ConfigProblem, type Env } from "./load";

const pairs: Array<[string, string[]]> = [
  ["GitHub sign-in", ["GITHUB_ID", "GITHUB_SECRET"]],
  ["OIDC sign-in", ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]],
  ["the bootstrap admin", ["FLIGHTDECK_ADMIN_EMAIL", "FLIGHTDECK_ADMIN_PASSWORD"]],
];

export const EnvSchema = z.object({
  /** The address `npm start` listens on: 127.0.0.1 for the demo fleet, every interface for a real one, unless set. */
  HOST: z.string().min(1).optional(),
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, { error: (i) => `expected a port number, got ${JSON.stringify(i.input)}` })
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  FLIGHTDECK_DB: z.string().min(1).optional(),
  /** PostgreSQL for several replicas on one database (docs/high-availability.md); wins over FLIGHTDECK_DB. Never echoed: it may hold a password. */
  FLIGHTDECK_DATABASE_URL: z
    .string()
    .refine((url) => /^postgres(ql)?:\/\//.test(url) && URL.canParse(url), {
      error: "expected a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/flightdeck",
    })
    .optional(),
  NEXTAUTH_URL: z.url({ error: (i) => `expected a URL such as https://flightdeck.example.com, got ${JSON.stringify(i.input)}` }).optional(),
  NEXTAUTH_SECRET: z.string().min(32, { error: "must be at least 32 characters (openssl rand -base64 32)" }).optional(),
  OIDC_ISSUER: z.url({ error: (i) => `expected the issuer URL, got ${JSON.stringify(i.input)}` }).optional(),
  FLIGHTDECK_ADMIN_PASSWORD: z.string().min(12, { error: "must be at least 12 characters" }).optional(),
  FLIGHTDECK_WEBHOOK_SECRET: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  /** While rotating: the old webhook secret, still accepted until CI signs with the new one (docs/security.md). */
  FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  /** The Slack app's signing secret: buttons on Slack cards, checked by POST /api/integrations/slack/actions (docs/notifications.md). */
  SLACK_SIGNING_SECRET: z.string().min(16, { error: "must be the Slack app's signing secret (Basic Information → App Credentials)" }).optional(),
  /** CLI side only (`flightdeck rollout|rollback`): the server to talk to, and an API token. */
  FLIGHTDECK_URL: z.url({ error: (i) => `expected the Flightdeck server's URL, got ${JSON.stringify(i.input)}` }).optional(),
  FLIGHTDECK_TOKEN: z.string().regex(/^fd_/, { error: "expected an API token (fd_…) from Admin → API tokens" }).optional(),
  FLIGHTDECK_ENGINE: z.enum(["on", "off"]).optional(),
  /** Set by `npm start` (scripts/start.mjs): the server's own signal handler stops the engine before it exits. */
  NEXT_MANUAL_SIG_HANDLE: z.string().optional(),
  /** A file that keeps the simulated world (weights, calls) across restarts of the demo. */
  FLIGHTDECK_SIM_STATE: z.string().min(1).optional(),
  FLIGHTDECK_LEASE_TTL_MS: z
    .string()
    .regex(/^\d+$/, { error: (i) => `expected milliseconds, got ${JSON.stringify(i.input)}` })
    .optional(),
  /** Tests only (refused when NODE_ENV=production): the process kills itself at this crash point (server/engine/crash-points.ts). */
  FLIGHTDECK_CRASH_AT: z
    .string()
    .regex(/^[a-z-]+\.[a-z-]+(:[1-9]\d*)?$/, { error: (i) => `expected <point>[:<n>], such as deploy.after-effect:1, got ${JSON.stringify(i.input)}` })
    .optional(),
  /** Sign-in providers and the bootstrap admin (checked in pairs below). */
  GITHUB_ID: z.string().optional(),
  GITHUB_SECRET: z.string().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().optional(),
  FLIGHTDECK_ADMIN_EMAIL: z.string().optional(),
  /** The project root the CLI runs from (scripts/flightdeck.mjs sets it). */
  FLIGHTDECK_HOME: z.string().optional(),
  /** `flightdeck simulate`: the most ticks a simulation runs (default 100 000). */
  FLIGHTDECK_SIM_MAX_TICKS: z.string().optional(),
  /** Any value: the CLI prints without colour. */
  NO_COLOR: z.string().optional(),
  /** Tests only (read only when NODE_ENV=test): the GitHub API a sign-in test stands up. */
  FLIGHTDECK_TEST_GITHUB_API_URL: z.string().optional(),
});

export type ServerEnv = z.infer<typeof EnvSchema>;

const NAMES = Object.keys(EnvSchema.shape) as Array<keyof ServerEnv>;
let parsed: { key: string; env: ServerEnv } | undefined;

/**
 * The typed environment. A variable that is set but invalid reads as unset here: start-up (`bootstrap`, `npm
 * start`'s preflight, the worker) has already stopped on it with its name, and `flightdeck doctor` reports it.
 */
export function serverEnv(): ServerEnv {
  const source = rawEnv();
  const key = NAMES.map((name) => source[name] ?? "").join("\u0000");
  if (parsed?.key === key) return parsed.env;
  const env: Record<string, string> = {};
  for (const name of NAMES) {
    const value = source[name];
    if (value === undefined || value === "") continue;
    const field = EnvSchema.shape[name].safeParse(value);
    if (field.success && field.data !== undefined) env[name] = field.data;
  }
  parsed = { key, env: Object.freeze(env) as ServerEnv };
  return parsed.env;
}

/** The whole live process environment (see the top of this file for who may use it, and why). */
export function rawEnv(): Env {
  return process.env;
}

export function checkEnvironment(env: Env = rawEnv()): ConfigProblem[] {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = EnvSchema.safeParse(defined);
  const problems = result.success ? [] : issuesToProblems(result.error.issues);
  for (const [what, names] of pairs) {
    const set = names.filter((n) => defined[n]);
    if (set.length > 0 && set.length < names.length) {
      problems.push({
        path: formatPath([names.find((n) => !defined[n])!]),
        message: `is required for ${what} because ${set.join(" and ")} ${set.length > 1 ? "are" : "is"} set`,
      });
    }
  }
  return problems;
}

export function checkEnvironmentOrExit(env: Env = rawEnv()): void {
  const problems = checkEnvironment(env);
  if (problems.length === 0) return;
  console.error(`Flightdeck cannot start: the environment has ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
  process.exit(1);
}
