/**
 * The `flightdeck` command line under generated arguments (fast-check, seeded: server/fuzz/fuzz.fixtures.ts),
 * through its entry `main(argv)` as `npx flightdeck` runs it, in-process: its output captured, the environment
 * it reads (FLIGHTDECK_URL, FLIGHTDECK_TOKEN, FLIGHTDECK_DB, FLIGHTDECK_CONFIG) pointing at a route server on
 * 127.0.0.1 over the process's database (http-server.fixtures.ts), with a rollout in its canary. Properties:
 * `main` always resolves to 0, 1 or 2 (an exception it lets through is a failure) and says why when not 0; the
 * server never answers 5xx; a refused command writes nothing; an accepted one, run again, writes no second
 * rollout. `rollout wait` (which sleeps) runs through `runRollout` with a sleep that drives the engine instead,
 * and `simulate` (seconds per run) through its argument parser.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Store } from "@/db/client";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { realClock } from "@/server/engine/clock";
import { addUser, createHarness, demoConfig, DIGEST_A, phases, runUntil, startInUsEast, type Harness } from "@/server/engine/runner/test-fixtures";
import { fuzz, ODD_STRINGS, tableCounts } from "@/server/fuzz/fuzz.fixtures";
import { createToken } from "@/server/services/api-tokens";
import { COMMIT } from "@/server/services/ci-webhook.fixtures";
import { startRouteServer } from "./http-server.fixtures";
import type { CliIo } from "./io";
import { main } from "./main";
import { runRollout } from "./rollout";
import { ArgumentError, parseSimulateArgs } from "./simulate-args";

/** No reviewers: a started region reaches its canary, and the commands on it can be accepted. */
const config = demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }]));

let h: Harness;
let server: Awaited<ReturnType<typeof startRouteServer>>;
let tokens: Record<string, string>;
let rolloutId: string;
/** Every status the route server answered the CLI. */
let statuses: number[];
const ENV_NAMES = ["FLIGHTDECK_URL", "FLIGHTDECK_TOKEN", "FLIGHTDECK_DB", "FLIGHTDECK_CONFIG"] as const;
const savedEnv = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));

beforeEach(async () => {
  h = createHarness({ config });
  h.clock.setTime(Date.now());
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = h.db;
  setConfig({ config, file: "test" });
  const ada = addUser(h.db, "ada", "Ada", ["admin"]);
  const ctx = { db: h.db, config, actor: ada, clock: realClock };
  const mint = async (scope: "read" | "deploy" | "rollback") => (await createToken(ctx, { name: scope, scope })).token;
  tokens = { deploy: await mint("deploy"), read: await mint("read"), rollback: await mint("rollback"), unknown: `fd_${"B".repeat(43)}` };
  rolloutId = await startInUsEast(h, ada);
  await runUntil(h, () => phases(h.db)["us-east"] === "canary");
  server = await startRouteServer();
  process.env.FLIGHTDECK_URL = server.url;
  process.env.FLIGHTDECK_DB = path.join(h.dir, "test.db");
  process.env.FLIGHTDECK_CONFIG = DEMO_CONFIG_PATH;
  mkdirSync(path.join(h.dir, "a-directory"));
  writeFileSync(path.join(h.dir, "garbage.yaml"), "regions: [unclosed\n");
  statuses = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (...args: Parameters<typeof fetch>) => {
    const res = await realFetch(...args);
    statuses.push(res.status);
    return res;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
  for (const n of ENV_NAMES)
    if (savedEnv[n] === undefined) delete process.env[n];
    else process.env[n] = savedEnv[n];
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h.cleanup();
});

// ---------- arguments ----------

/** Values a flag may get: a good one for it most of the time, else odd ones. */
const GOOD: Record<string, () => string[]> = {
  service: () => ["api"],
  version: () => ["2.0.0", "1.4.2-rc.1"],
  digest: () => [DIGEST_A],
  url: () => ["https://artifacts.example.com/api/2.0.0.tar.gz"],
  ref: () => ["refs/heads/main"],
  commit: () => [COMMIT],
  strategy: () => ["sequential", "parallel", "delayed"],
  delay: () => ["60", "90"],
  regions: () => ["eu-west", "all", "eu-west,apac-se"],
  region: () => ["us-east", "eu"],
  reason: () => ["looking at it"],
  interval: () => ["1"],
  timeout: () => ["1"],
  channel: () => ["incidents", "deployments"],
  config: () => [DEMO_CONFIG_PATH, path.join(h.dir, "a-directory"), path.join(h.dir, "garbage.yaml"), path.join(h.dir, "missing.yaml")],
  email: () => ["new@example.test", "ada@example.test"],
  name: () => ["New Person"],
  role: () => ["viewer", "deployer,sre", "emperor"],
};
const FLAGS = Object.keys(GOOD);

/** What follows each command: its subcommands (or first words), and the flags it takes. */
const COMMANDS: Record<string, { subs: string[]; flags: string[] }> = {
  rollout: {
    subs: ["start", "status", "pause", "resume", "promote", "abort", "stop", ""],
    flags: ["service", "version", "digest", "url", "ref", "commit", "strategy", "delay", "regions", "region", "reason", "interval", "timeout", "json"],
  },
  rollback: { subs: [], flags: ["region", "service", "json"] },
  users: {
    subs: ["list", "add", "disable ada@example.test", "enable ada@example.test", "disable nobody", "delete"],
    flags: ["config", "json", "email", "name", "role"],
  },
  doctor: { subs: [], flags: ["config", "json"] },
  notify: { subs: ["test", "", "send"], flags: ["channel", "config", "json"] },
  help: { subs: [], flags: [] },
  launch: { subs: [], flags: [] },
};

/** The flags that make a subcommand's line whole, put first when `base` is drawn (a generated flag then overrides). */
const BASE: Record<string, () => string[]> = {
  "rollout start": () => ["--service", "api", "--version", "2.0.0", "--digest", DIGEST_A, "--strategy", "sequential", "--regions", "eu-west"],
  "rollout pause": () => ["--region", "us-east"],
  "rollout resume": () => ["--region", "us-east"],
  "rollout promote": () => ["--region", "us-east"],
  "rollout abort": () => ["--region", "us-east"],
  rollback: () => ["--region", "us-east"],
  "users add": () => ["--email", "new@example.test", "--name", "New"],
};

/** An argument the OS can hand over: Node decodes argv from UTF-8, so a lone surrogate never arrives. */
const wellFormed = (s: string) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""));

type Token = { flag: string; value?: { good: number } | { raw: string } } | { positional: string };
const values = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((good) => ({ good })) },
  fc.oneof(fc.constantFrom(...ODD_STRINGS.filter(wellFormed)), fc.string({ maxLength: 20 })).map((raw) => ({ raw })),
);
/** Mostly the command's own flags with values; sometimes any flag, a flag without its value, or a stray word. */
const tokensFor = (flags: string[]): fc.Arbitrary<Token[]> =>
  fc.array(
    fc.oneof(
      { weight: flags.length ? 8 : 0, arbitrary: fc.record({ flag: fc.constantFrom(...(flags.length ? flags : ["json"])), value: values }) },
      fc.record({ flag: fc.constantFrom(...FLAGS), value: values }),
      fc.record({ flag: fc.constantFrom("json", ...FLAGS, "unknown", "", "-", "x") }),
      fc.oneof(fc.constantFrom("--", "-x", "--json=yes", "-j", "—region"), fc.string({ maxLength: 12 })).map((positional) => ({ positional })),
    ),
    { maxLength: 6 },
  );

type Argv = { command: string; sub: number; id: "rollout" | "none" | "odd"; base: boolean; tokens: Token[]; token: string };
const argvs: fc.Arbitrary<Argv> = fc.constantFrom(...Object.keys(COMMANDS), "rollout").chain((command) =>
  fc.record({
    command: fc.constant(command),
    sub: fc.nat(),
    id: fc.constantFrom<Argv["id"]>("rollout", "rollout", "none", "odd"),
    base: fc.boolean(),
    tokens: tokensFor(COMMANDS[command].flags.filter((f) => f !== "json")),
    token: fc.constantFrom("deploy", "deploy", "rollback", "read", "unknown", "unset"),
  }),
);

/** The words of a generated command line. */
function wordsOf(a: Argv): string[] {
  const { subs } = COMMANDS[a.command];
  const sub = subs.length ? subs[a.sub % subs.length].split(" ").filter(Boolean) : [];
  const id = a.command === "rollout" && sub[0] !== "start" ? (a.id === "rollout" ? [rolloutId] : a.id === "odd" ? ["no-such-rollout"] : []) : [];
  const base = a.base ? (BASE[[a.command, ...sub.slice(0, 1)].join(" ")]?.() ?? []) : [];
  const flags = a.tokens.flatMap((t) => {
    if ("positional" in t) return [t.positional];
    if (!t.value) return [t.flag ? `--${t.flag}` : "--"];
    const good = GOOD[t.flag]();
    return [`--${t.flag}`, "good" in t.value ? good[t.value.good % good.length] : t.value.raw];
  });
  return [a.command, ...sub, ...id, ...base, ...flags];
}

/** Whole command lines that should be accepted, so the fuzz reaches what they change. */
const goodLines = fc.constantFrom(
  ["rollout", "start", "--service", "api", "--version", "2.0.0", "--digest", DIGEST_A, "--strategy", "sequential", "--regions", "eu-west"],
  ["rollout", "pause", "<id>", "--region", "us-east", "--reason", "looking"],
  ["rollout", "abort", "<id>", "--region", "us-east", "--json"],
  ["rollback", "--region", "us-east"],
  ["users", "add", "--email", "new@example.test", "--name", "New", "--role", "viewer"],
  ["users", "disable", "ada@example.test"],
);

type Run = { code: number; out: string; err: string };
async function run(words: string[], token: string): Promise<Run> {
  if (token === "unset") delete process.env.FLIGHTDECK_TOKEN;
  else process.env.FLIGHTDECK_TOKEN = tokens[token];
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await main(words), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** Commands that change something when they succeed. */
const changes = (words: string[]) =>
  (words[0] === "rollout" && ["start", "pause", "resume", "promote", "abort"].includes(words[1])) ||
  words[0] === "rollback" ||
  (words[0] === "users" && ["add", "disable", "enable"].includes(words[1]));

/** The properties of one command line; its exit code. */
async function checkLine(words: string[], token: string): Promise<number> {
  const before = tableCounts(h.db);
  statuses = [];
  const first = await run(words, token);
  const what = JSON.stringify({ words, token, first }).slice(0, 800);
  expect([0, 1, 2], what).toContain(first.code);
  expect(
    statuses.filter((s) => s >= 500),
    what,
  ).toEqual([]);
  if (first.code !== 0) {
    expect((first.err + first.out).trim().length, what).toBeGreaterThan(0);
    expect(tableCounts(h.db), what).toEqual(before);
    return first.code;
  }
  if (!changes(words)) {
    expect(tableCounts(h.db), what).toEqual(before);
    return first.code;
  }

  const after = tableCounts(h.db);
  const again = await run(words, token);
  const retry = JSON.stringify({ what, again }).slice(0, 1000);
  expect([0, 1, 2], retry).toContain(again.code);
  expect(
    statuses.filter((s) => s >= 500),
    retry,
  ).toEqual([]);
  const final = tableCounts(h.db);
  expect(final.rollouts, retry).toBe(after.rollouts);
  expect(final.users, retry).toBe(after.users);
  if (again.code !== 0) expect(final, retry).toEqual(after);
  return first.code;
}

describe("CLI fuzz", () => {
  it("main resolves to 0, 1 or 2 for any command line, never meets a 5xx, and a refused command writes nothing", async () => {
    const exits = new Map<string, number>();
    await fuzz(
      "CLI: command lines through main",
      argvs,
      async (a) => {
        const words = wordsOf(a);
        const code = await checkLine(words, a.token);
        const key = `${words[0]} ${code}`;
        exits.set(key, (exits.get(key) ?? 0) + 1);
      },
      400,
    );
    console.log(`CLI exit codes by command: ${JSON.stringify(Object.fromEntries([...exits].sort()))}`);
  });

  it("runs command lines that should be accepted, twice: the second writes no second rollout or user", async () => {
    await fuzz(
      "CLI: accepted command lines, retried",
      fc.tuple(goodLines, fc.constantFrom("deploy", "rollback")),
      async ([line, token]) => {
        const words = line.map((w) => (w === "<id>" ? rolloutId : w));
        await checkLine(words, words[0] === "rollback" ? "rollback" : token);
      },
      20,
    );
  });

  it("rollout wait: ends with 0, 1 or 2 for any interval and timeout, while the engine runs the rollout", async () => {
    const outcomes = new Map<string, number>();
    await fuzz(
      "CLI: rollout wait arguments",
      fc.record({
        id: fc.constantFrom("rollout", "rollout", "rollout", "none", "odd"),
        interval: fc.option(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom("1", "30") },
            fc.constantFrom("0", "-1", "abc", "1e308", "Infinity", "0.001", ""),
            fc.string({ maxLength: 6 }),
          ),
          { nil: undefined },
        ),
        timeout: fc.option(
          fc.oneof({ weight: 4, arbitrary: fc.constantFrom("1", "600") }, fc.constantFrom("0", "-5", "NaN", "1e-9"), fc.string({ maxLength: 6 })),
          { nil: undefined },
        ),
        json: fc.boolean(),
      }),
      async ({ id, interval, timeout, json }) => {
        const argv = [
          "wait",
          ...(id === "rollout" ? [rolloutId] : id === "odd" ? ["no-such-rollout"] : []),
          ...(interval !== undefined ? ["--interval", interval] : []),
          ...(timeout !== undefined ? ["--timeout", timeout] : []),
          ...(json ? ["--json"] : []),
        ];
        let sleeps = 0;
        const io: CliIo = {
          out: () => undefined,
          err: () => undefined,
          env: { FLIGHTDECK_URL: server.url, FLIGHTDECK_TOKEN: tokens.read },
          tty: false,
          // Each poll's sleep runs the engine a little in virtual time, so the rollout moves on and `wait` ends.
          sleep: async () => {
            sleeps++;
            await h.runner.tick();
            h.clock.setTime(Math.max((await h.runner.nextDueAt()) ?? h.clock.now() + 1_000, h.clock.now()));
          },
        };
        const what = JSON.stringify({ argv, sleeps });
        try {
          const code = await runRollout(argv, io);
          expect([0, 1], what).toContain(code);
          outcomes.set(`exit ${code}`, (outcomes.get(`exit ${code}`) ?? 0) + 1);
        } catch (err) {
          outcomes.set((err as Error).name, (outcomes.get((err as Error).name) ?? 0) + 1);
          // What main turns into exit 2 (bad arguments) or 1 (the server refused).
          expect(err instanceof ArgumentError || (err as Error).name === "ApiError", `${what}: ${(err as Error).stack}`).toBe(true);
        }
        expect(statuses.filter((s) => s >= 500)).toEqual([]);
      },
      30,
    );
    console.log(`CLI rollout wait outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  });

  it("simulate's arguments: options, or an ArgumentError naming the argument", async () => {
    const simulateArgs = fc.array(
      fc.oneof(
        fc.tuple(
          fc.constantFrom("--strategy", "--delay", "--regions", "--config", "--fault", "--seed"),
          fc.oneof(
            fc.constantFrom(
              "sequential",
              "delayed",
              "90",
              "all",
              "us-east,eu-west",
              ",",
              "eu-west:25:error_rate=1.2",
              "eu-west:25:no_data=3/2",
              "a:b:c:d",
              "x:0:cpu=1",
              "1.5",
            ),
            fc.string({ maxLength: 16 }),
          ),
        ),
        fc.constantFrom(["--json"], ["--hold-approvals"], ["--"], ["positional"], ["-z"]),
      ),
      { maxLength: 6 },
    );
    await fuzz(
      "CLI: simulate arguments",
      simulateArgs,
      async (pairs) => {
        const argv = pairs.flat();
        try {
          parseSimulateArgs(argv);
        } catch (err) {
          expect(err, `${JSON.stringify(argv)}: ${(err as Error).stack}`).toBeInstanceOf(ArgumentError);
          expect((err as Error).message.length).toBeGreaterThan(10);
        }
      },
      300,
    );
  });
});

/** The failures the fuzz found, shrunk, kept as plain tests. */
describe("CLI fuzz: regressions", () => {
  it("doctor, notify and users answer --config naming a directory with exit 1 and the reason, not an EISDIR stack", async () => {
    const dir = path.join(h.dir, "a-directory");
    const doctor = await run(["doctor", "--config", dir], "deploy");
    expect(doctor.code).toBe(1);
    expect(doctor.out).toMatch(new RegExp(`FAIL\\s+config file\\s+\\(file\\): ${dir} is a directory; name the config file itself`));
    for (const words of [
      ["notify", "test", "--config", dir],
      ["users", "list", "--config", dir],
    ]) {
      const answer = await run(words, "deploy");
      expect(answer, words.join(" ")).toMatchObject({ code: 1, err: expect.stringContaining(`${dir} is a directory; name the config file itself`) });
    }
  });
});
