/**
 * The fleet config under generated input (fast-check, seeded: server/fuzz/fuzz.fixtures.ts). YAML texts (any
 * text, the shipped and the documented configs cut and spliced with YAML's odd constructs: anchors, aliases,
 * tags, merge keys, documents, tabs), values (one field anywhere in the config replaced, removed or added), the
 * environment its `*Env` fields name, and the file FLIGHTDECK_CONFIG names. Properties: `parseConfig` never
 * throws and answers either a config or problems by path; `loadConfig` throws nothing but a ConfigError; a
 * config accepted once, written back and read again, is the same config.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { fuzz, oddValue } from "@/server/fuzz/fuzz.fixtures";
import { ConfigError, DEMO_CONFIG_PATH, loadConfig, parseConfig, type Env } from "./load";

const DEMO = readFileSync(DEMO_CONFIG_PATH, "utf8");
/** The production example of docs/configuration.md: real providers, every `*Env` field. */
const DOCUMENTED = /```yaml\n(# flightdeck\.config\.yaml[\s\S]*?)```/.exec(readFileSync(path.join(process.cwd(), "docs/configuration.md"), "utf8"))![1];
const SEEDS = [DEMO, DOCUMENTED];

/** Every variable the documented config names, set: so its values, not its environment, decide. */
const FULL_ENV: Env = Object.fromEntries([...DOCUMENTED.matchAll(/Env:\s*([A-Z_][A-Z0-9_]*)/g)].map(([, name]) => [name, "set"]));

/** YAML constructs that parsers trip on. */
const YAML_ODDITIES = [
  "&a ",
  "*a",
  "*undefined_anchor",
  "<<: *a\n",
  "!!binary ",
  "!!js/function ",
  "!!set ",
  "!!timestamp ",
  "!custom ",
  "? ",
  "---\n",
  "...\n",
  "%YAML 1.1\n---\n",
  "\t",
  "{",
  "[",
  "]",
  ": ",
  "- ",
  "# ",
  "|\n  ",
  ">-\n  ",
  '"\\u0000"',
  "'",
  "\ufeff",
  "~",
  ".nan",
  "0x1F",
  "1_000",
  "0o17",
  "2001-12-14t21:59:43.10-05:00",
  "yes",
  "null",
] as const;

/** A text cut and spliced: YAML oddities or any characters inserted at places, or a slice removed. */
const spliced = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.oneof(fc.constantFrom(...YAML_ODDITIES), fc.string({ maxLength: 8 }))), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 200 })), { nil: undefined }),
  )
  .map(([seed, inserts, cut]) => {
    let text = seed;
    for (const [at, what] of inserts) {
      const i = Math.floor(at * text.length);
      text = text.slice(0, i) + what + text.slice(i);
    }
    if (cut) {
      const i = Math.floor(cut[0] * text.length);
      text = text.slice(0, i) + text.slice(i + cut[1]);
    }
    return text;
  });

/** Aliases of aliases (`a: &a [x, x]`, `b: &b [*a, *a]`, ...): from harmless to a billion laughs. */
const aliases = fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 12 })).map(([depth, width]) => {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(", ")}]`];
  for (let d = 1; d < depth; d++)
    lines.push(
      `l${d}: &l${d} [${Array(width)
        .fill(`*l${d - 1}`)
        .join(", ")}]`,
    );
  return `${DEMO}\n${lines.join("\n")}\nextra: *l${depth - 1}\n`;
});

/** A path to any value of a parsed config (objects and lists, at any depth). */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const here = at.length ? [at] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
  if (value && typeof value === "object") return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return here;
}

/** One value anywhere in a seed config replaced by an odd one, removed, or joined by an unknown field. */
const mutatedValues = fc
  .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.constantFrom("replace", "remove", "add"), oddValue, fc.string({ minLength: 1, maxLength: 10 }))
  .map(([seed, pick, how, value, key]) => {
    const config = parse(seed) as Record<string, unknown>;
    const paths = pathsOf(config);
    const target = paths[pick % paths.length];
    const parent = target.slice(0, -1).reduce<Record<string | number, unknown>>((node, k) => node[k] as Record<string | number, unknown>, config);
    const last = target[target.length - 1];
    if (how === "replace") parent[last] = value;
    else if (how === "remove") {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else if (parent[last] && typeof parent[last] === "object" && !Array.isArray(parent[last])) (parent[last] as Record<string, unknown>)[key] = value;
    else parent[last] = { [key]: value };
    return stringify(config);
  });

const texts = fc.oneof(
  { weight: 4, arbitrary: mutatedValues },
  { weight: 4, arbitrary: spliced },
  aliases,
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.constantFrom("", " ", "~", "[]", "42", '"demo"', "demo: true", "\u0000", "a: b: c", "- - -"),
);

/** The environment: all the documented config's variables, none, or some, with odd values. */
const envs = fc.oneof(
  fc.constant(FULL_ENV),
  fc.constant<Env>({}),
  fc.dictionary(
    fc.constantFrom(...Object.keys(FULL_ENV), "FLIGHTDECK_SECRET", "PATH"),
    fc.oneof(fc.constant("set"), fc.constant(""), fc.string({ maxLength: 20 })),
    {
      maxKeys: 6,
    },
  ),
);

/** What parseConfig must answer: a config and no problems, or problems that each name a place and say what is wrong. */
function expectAnswer(result: ReturnType<typeof parseConfig>, what: string) {
  if (result.config) {
    expect(result.problems, what).toEqual([]);
    return;
  }
  expect(result.problems.length, what).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(typeof p.path === "string" && p.path.length > 0, what).toBe(true);
    expect(typeof p.message === "string" && p.message.length > 0, what).toBe(true);
  }
}

describe("config fuzz", () => {
  it("parseConfig never throws: it answers a config, or problems by path; an accepted config read again is the same", async () => {
    let accepted = 0;
    await fuzz(
      "config: YAML texts and values",
      fc.tuple(texts, envs),
      async ([text, env]) => {
        const what = JSON.stringify({ text: text.slice(0, 400), env }).slice(0, 700);
        let result: ReturnType<typeof parseConfig> | undefined;
        expect(() => (result = parseConfig(text, env)), what).not.toThrow();
        expectAnswer(result!, what);
        if (!result!.config) return;
        accepted++;
        const again = parseConfig(stringify(result!.config), env);
        expect(again.problems, what).toEqual([]);
        expect(again.config, what).toEqual(result!.config);
      },
      200,
    );
    console.log(`config: ${accepted} of the generated texts were accepted`);
    expect(accepted).toBeGreaterThan(0);
  });

  const dir = mkdtempSync(path.join(tmpdir(), "fd-config-fuzz-"));
  mkdirSync(path.join(dir, "a-directory"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What FLIGHTDECK_CONFIG names: the written file, a directory, nothing, or anything. */
  const named = fc.oneof(
    { weight: 3, arbitrary: fc.constant("fleet.yaml") },
    fc.constantFrom("a-directory", ".", "missing.yaml", "", " ", "/dev/null", "fleet.yaml/child"),
    fc.string({ maxLength: 20 }).filter((s) => !s.includes("\u0000")),
  );

  it("loadConfig throws nothing but a ConfigError, whatever file FLIGHTDECK_CONFIG names and whatever it holds", async () => {
    await fuzz(
      "config: the file FLIGHTDECK_CONFIG names",
      fc.tuple(texts, envs, fc.option(named, { nil: undefined })),
      async ([text, env, name]) => {
        writeFileSync(path.join(dir, "fleet.yaml"), text);
        const what = JSON.stringify({ name, text: text.slice(0, 300) });
        try {
          const loaded = loadConfig({ ...env, ...(name === undefined ? {} : { FLIGHTDECK_CONFIG: name }) }, dir);
          expect(loaded.config, what).toBeDefined();
        } catch (err) {
          expect(err, `${what}: ${(err as Error).stack}`).toBeInstanceOf(ConfigError);
          expect((err as ConfigError).problems.length, what).toBeGreaterThan(0);
        }
      },
      100,
    );
  });
});

/** The failures the fuzz found, shrunk, kept as plain tests. */
describe("config fuzz: regressions", () => {
  it("reports aliases that expand past yaml's limit as a problem instead of throwing (a billion laughs, 3^4 values)", () => {
    const laughs = `${DEMO}\nl0: &l0 ["lol", "lol", "lol"]\nl1: &l1 [*l0, *l0, *l0]\nl2: &l2 [*l1, *l1, *l1]\nl3: &l3 [*l2, *l2, *l2]\nextra: *l3\n`;
    expect(parseConfig(laughs, {})).toEqual({ problems: [{ path: "(yaml)", message: expect.stringContaining("Excessive alias count") }] });
  });

  it("reports an alias to no anchor as a problem instead of throwing", () => {
    expect(parseConfig("regions: *x\n", {})).toEqual({ problems: [{ path: "(yaml)", message: expect.stringContaining("Unresolved alias") }] });
  });

  it("answers FLIGHTDECK_CONFIG naming a directory with a ConfigError that says so, not EISDIR", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fd-config-dir-"));
    try {
      mkdirSync(path.join(dir, "a-directory"));
      expect(() => loadConfig({ FLIGHTDECK_CONFIG: "a-directory" }, dir)).toThrow(ConfigError);
      expect(() => loadConfig({ FLIGHTDECK_CONFIG: "a-directory" }, dir)).toThrow(
        /a-directory: 1 problem\(s\)\n {2}\(file\): .*a-directory is a directory; name the config file itself/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
