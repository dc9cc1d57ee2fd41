/**
 * The process environment Flightdeck itself reads (the fleet config's `*Env` references are checked by the
 * config loader). Checked once at start-up: every problem by variable name.
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
  PORT: z.string().regex(/^\d{1,5}$/, { error: (i) => `expected a port number, got ${JSON.stringify(i.input)}` }).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  FLIGHTDECK_DB: z.string().min(1).optional(),
  NEXTAUTH_URL: z.url({ error: (i) => `expected a URL such as https://flightdeck.example.com, got ${JSON.stringify(i.input)}` }).optional(),
  NEXTAUTH_SECRET: z.string().min(32, { error: "must be at least 32 characters (openssl rand -base64 32)" }).optional(),
  OIDC_ISSUER: z.url({ error: (i) => `expected the issuer URL, got ${JSON.stringify(i.input)}` }).optional(),
  FLIGHTDECK_ADMIN_PASSWORD: z.string().min(12, { error: "must be at least 12 characters" }).optional(),
  FLIGHTDECK_WEBHOOK_SECRET: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  /** While rotating: the old webhook secret, still accepted until CI signs with the new one (docs/security.md). */
  FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  /** CLI side only (`flightdeck rollout|rollback`): the server to talk to, and an API token. */
  FLIGHTDECK_URL: z.url({ error: (i) => `expected the Flightdeck server's URL, got ${JSON.stringify(i.input)}` }).optional(),
  FLIGHTDECK_TOKEN: z.string().regex(/^fd_/, { error: "expected an API token (fd_…) from Admin → API tokens" }).optional(),
  FLIGHTDECK_ENGINE: z.enum(["on", "off"]).optional(),
  /** A file that keeps the simulated world (weights, calls) across restarts of the demo. */
  FLIGHTDECK_SIM_STATE: z.string().min(1).optional(),
  FLIGHTDECK_LEASE_TTL_MS: z.string().regex(/^\d+$/, { error: (i) => `expected milliseconds, got ${JSON.stringify(i.input)}` }).optional(),
});

export function checkEnvironment(env: Env = process.env): ConfigProblem[] {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = EnvSchema.safeParse(defined);
  const problems = result.success ? [] : issuesToProblems(result.error.issues);
  for (const [what, names] of pairs) {
    const set = names.filter((n) => defined[n]);
    if (set.length > 0 && set.length < names.length) {
      problems.push({ path: formatPath([names.find((n) => !defined[n])!]), message: `is required for ${what} because ${set.join(" and ")} ${set.length > 1 ? "are" : "is"} set` });
    }
  }
  return problems;
}

export function checkEnvironmentOrExit(env: Env = process.env): void {
  const problems = checkEnvironment(env);
  if (problems.length === 0) return;
  console.error(`Flightdeck cannot start: the environment has ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
  process.exit(1);
}
