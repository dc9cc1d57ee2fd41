/**
 * Loading the fleet config: find the file, parse YAML, check it with zod, check that every environment
 * variable it references is set. Every problem is collected and reported by path; nothing throws a stack.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { rawEnv } from "./env";
import { modeProblems } from "./readiness";
import { FleetConfig, type AnalysisConfig, type RegionConfig, type StageConfig } from "./schema";

/**
 * The project root: FLIGHTDECK_HOME when set (the CLI sets it), else the working directory. Read raw: this runs
 * while modules load, inside env.ts's own imports, before `serverEnv()` can be called.
 */
const HOME = rawEnv().FLIGHTDECK_HOME ?? process.cwd();
export const DEMO_CONFIG_PATH = path.join(HOME, "server/config/demo-fleet.yaml");
export const DEFAULT_CONFIG_PATH = "flightdeck.config.yaml";

/** An environment: process.env or a plain object in tests. */
export type Env = Record<string, string | undefined>;

export type ConfigProblem = { path: string; message: string };
export type LoadedConfig = { config: FleetConfig; file: string };

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

/** `regions[1].stages[2].maxErrorRatePct` from zod's `["regions", 1, "stages", 2, "maxErrorRatePct"]`. */
export function formatPath(segments: ReadonlyArray<PropertyKey>): string {
  return segments.reduce<string>((out, seg) => (typeof seg === "number" ? `${out}[${seg}]` : out ? `${out}.${String(seg)}` : String(seg)), "") || "(root)";
}

export function issuesToProblems(issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  return issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return { path: formatPath(issue.path), message: `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}` };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

/**
 * Which file is in effect: FLIGHTDECK_CONFIG, else ./flightdeck.config.yaml, else the shipped demo fleet. The demo
 * is taken only when nothing hints at a real config: an empty FLIGHTDECK_CONFIG, a misspelt variable
 * (FLIGHTDECK_CONFG) or a misnamed file (./flightdeck.config.yml) throws a ConfigError naming it.
 */
export function resolveConfigPath(env: Env = rawEnv(), cwd: string = process.cwd()): string {
  const named = env.FLIGHTDECK_CONFIG;
  if (named !== undefined) {
    if (!named.trim())
      throw new ConfigError("FLIGHTDECK_CONFIG", [
        { path: "FLIGHTDECK_CONFIG", message: "is set but empty: name the fleet config file, or unset it to run the local demo" },
      ]);
    return path.resolve(cwd, named);
  }
  const local = path.resolve(cwd, DEFAULT_CONFIG_PATH);
  if (existsSync(local)) return local;
  const variable = Object.keys(env).find((key) => key !== "FLIGHTDECK_CONFIG" && env[key] && looksLikeConfigVariable(key));
  if (variable) {
    throw new ConfigError(variable, [
      {
        path: variable,
        message: `is set, but Flightdeck reads FLIGHTDECK_CONFIG; rename the variable (nothing falls back to the demo fleet while a config is meant)`,
      },
    ]);
  }
  const file = readdirSync(cwd).find((name) => name !== DEFAULT_CONFIG_PATH && /^flightdeck([._-]config)?\.(ya?ml|json)$/i.test(name));
  if (file) {
    throw new ConfigError(path.join(cwd, file), [
      {
        path: "(file)",
        message: `Flightdeck reads ./${DEFAULT_CONFIG_PATH}, not ./${file}: rename it or set FLIGHTDECK_CONFIG=${file} (nothing falls back to the demo fleet while a config is meant)`,
      },
    ]);
  }
  return DEMO_CONFIG_PATH;
}

/** FLIGHTDECK_CONFG, FLIGHTDEK_CONFIG, FLIGHTDECK_CONFIG_FILE: a variable meant to name the config. */
function looksLikeConfigVariable(key: string): boolean {
  const upper = key.toUpperCase();
  return upper.startsWith("FLIGHTDECK_CONF") || upper.startsWith("FLIGHTDECK_CFG") || editDistance(upper, "FLIGHTDECK_CONFIG") <= 2;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** Parse and check a config text. Returns every problem, never throws. */
export function parseConfig(source: string, env: Env = rawEnv(), opts: { requireEnv?: boolean } = {}): { config?: FleetConfig; problems: ConfigProblem[] } {
  const doc = parseDocument(source);
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "(yaml)",
        message: e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
      })),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (err) {
    // Building the value can still fail: an alias to no anchor, or aliases that expand past yaml's limit (a "billion laughs").
    return { problems: [{ path: "(yaml)", message: (err as Error).message }] };
  }
  const result = FleetConfig.safeParse(raw);
  if (!result.success) return { problems: issuesToProblems(result.error.issues) };
  const problems = [...modeProblems(raw, result.data), ...(opts.requireEnv === false ? [] : missingEnvironment(result.data, env))];
  return problems.length ? { problems } : { config: result.data, problems };
}

/** Every `*Env` field the config uses must name a variable that is set. */
export function missingEnvironment(config: FleetConfig, env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const walk = (value: unknown, at: PropertyKey[]) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        if (key.endsWith("Env") && typeof v === "string") {
          if (!isNeeded(value as Record<string, unknown>, key)) continue;
          if (!env[v]) problems.push({ path: formatPath([...at, key]), message: `environment variable ${v} is not set` });
        } else walk(v, [...at, key]);
      }
    }
  };
  walk(config, []);
  return problems;
}

/** A defaulted `*Env` field is needed only when nothing else in its object gives the value. */
function isNeeded(owner: Record<string, unknown>, key: string): boolean {
  // HAProxy's runtime API is reached over SSH on LB_IP only when no socket address is given.
  if (key === "lbHostEnv" && owner.provider === "haproxy") return owner.socket === "ssh" || (!owner.socket && !owner.socketEnv);
  return true;
}

export function loadConfig(env: Env = rawEnv(), cwd: string = process.cwd()): LoadedConfig {
  const file = resolveConfigPath(env, cwd);
  if (!existsSync(file))
    throw new ConfigError(file, [
      {
        path: "(file)",
        message: `no config file at ${file}${env.FLIGHTDECK_CONFIG ? " (named by FLIGHTDECK_CONFIG; Flightdeck never falls back to the demo fleet when a config is named)" : ""}`,
      },
    ]);
  const { config, problems } = parseConfig(readConfigFile(file), env);
  if (!config) throw new ConfigError(file, problems);
  return { config, file };
}

/** The text of a config file that exists; one that cannot be read (a directory, no permission) is a ConfigError. */
export function readConfigFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const message =
      (err as NodeJS.ErrnoException).code === "EISDIR"
        ? `${file} is a directory; name the config file itself`
        : `cannot read ${file}: ${(err as Error).message}`;
    throw new ConfigError(file, [{ path: "(file)", message }]);
  }
}

/** For process entry points: print the problems, one per line, and exit 1. No stack trace. */
export function loadConfigOrExit(env: Env = rawEnv()): LoadedConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      // A path names a config file; a bare variable name (FLIGHTDECK_CONFIG set empty, a misspelt one) is the environment.
      const what = /^[A-Z_][A-Z0-9_]*$/.test(err.file) ? "the environment" : `the config ${err.file}`;
      console.error(`Flightdeck cannot start: ${what} has ${err.problems.length} problem(s):`);
      for (const p of err.problems) console.error(`  ${p.path}: ${p.message}`);
      process.exit(1);
    }
    throw err;
  }
}

/** The stages and analysis settings in effect for one region (the region's overrides over the fleet's). */
export function regionSettings(config: FleetConfig, region: RegionConfig): { stages: StageConfig[]; analysis: AnalysisConfig } {
  return { stages: region.stages ?? config.stages, analysis: { ...config.analysis, ...region.analysis } };
}

export function regionsInOrder(config: FleetConfig): RegionConfig[] {
  return [...config.regions].sort((a, b) => a.order - b.order);
}

export { environmentPolicy, globMatch } from "./policies";
