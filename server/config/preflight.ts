/**
 * What `npm start` decides before it builds and serves, from the config and the environment: the database file,
 * the address to listen on, the public URL, and the banner that says so. Pure apart from `preflightOrExit`.
 */
import { oauthSignInFindings } from "../auth/oauth-allow";
import { databaseFile } from "./database";
import { checkEnvironmentOrExit, rawEnv } from "./env";
import { loadConfigOrExit, type ConfigProblem, type Env, type LoadedConfig } from "./load";
import { productionFindings, startupProblems } from "./readiness";

export type StartPlan = {
  demo: boolean;
  /** `next start -H`: 127.0.0.1 in demo mode, HOST when given, else every interface (undefined). */
  host: string | undefined;
  database: string;
  /** NEXTAUTH_URL for the server: as given, else the config's baseUrl (a real fleet) or localhost (the demo). */
  publicUrl: string;
  banner: string[];
};

export function startPlan({ config, file }: LoadedConfig, env: Env, port: string): StartPlan {
  const host = env.HOST || (config.demo ? "127.0.0.1" : undefined);
  const database = env.FLIGHTDECK_DATABASE_URL ? "FLIGHTDECK_DATABASE_URL" : databaseFile(config, env);
  const publicUrl = env.NEXTAUTH_URL ?? (config.demo ? `http://localhost:${port}` : config.baseUrl);
  const banner = [`Config ${file}: ${config.regions.length} region(s), ${config.services.length} service(s); database ${database}.`];
  if (config.demo) {
    banner.push(
      host === "127.0.0.1"
        ? `Demo mode: listening on 127.0.0.1 only (HOST overrides it). Anyone who reaches the dashboard signs in as admin with one click: a local try-out, never a real fleet (docs/security.md).`
        : `Demo mode on HOST=${host}: anyone who reaches this address signs in as admin with one click. Use it on a machine nobody else can reach (docs/security.md).`,
    );
  } else {
    for (const f of productionFindings(config)) banner.push(`Warning: ${f.path}: ${f.message}`);
  }
  for (const f of oauthSignInFindings(config, env as NodeJS.ProcessEnv)) banner.push(`Warning: ${f.path}: ${f.message}`);
  banner.push(
    `Flightdeck on ${config.demo ? `http://localhost:${port}` : publicUrl}${host ? ` (listening on ${host}:${port})` : ` (listening on port ${port}, every interface)`}`,
  );
  return { demo: config.demo, host, database, publicUrl, banner };
}

function exitWith(what: string, problems: ConfigProblem[]): never {
  console.error(`Flightdeck cannot start: ${what} has ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
  process.exit(1);
}

/** For `npm start` and `server/config/check.ts`: every problem by path and exit 1, else the plan. */
export function preflightOrExit(env: Env = rawEnv(), port: string = env.PORT ?? "3000"): StartPlan {
  const loaded = loadConfigOrExit(env);
  checkEnvironmentOrExit(env);
  const problems = startupProblems(loaded.config, env);
  if (problems.length) exitWith("the environment", problems);
  return startPlan(loaded, env, port);
}
