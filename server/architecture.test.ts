/**
 * The import rules of docs/architecture.md, enforced. Every import, export-from and dynamic import of app,
 * components, server, db, lab and scripts is read with a regex and resolved to a project path. A regex is
 * enough because imports here start a line; an import the scan cannot resolve fails the test, so the scan
 * never goes blind quietly. A broken rule is listed as `file:line → target`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const SCANNED = ["app", "components", "server", "db", "lab", "lib", "scripts"];
const EXTENSIONS = [".ts", ".tsx", ".mjs", ".js"];
/** Tests, test helpers and test doubles: they may reach across layers to set a scene up (rules say which). */
const TEST_FILE = /(\.test\.tsx?|\.fixtures\.tsx?|\/test-[^/]+|\/fake-[^/]+)$/;

type Import = {
  file: string;
  line: number;
  specifier: string;
  kind: "project" | "package" | "builtin";
  /** Project path of the imported file; null for packages, builtins and project imports that did not resolve. */
  target: string | null;
  /** `import type`, `export type`, `{ type A, type B }` or `import("x")` in a type: erased at build. */
  typeOnly: boolean;
};

// ---------- the scan ----------

const CLAUSE = String.raw`(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\}|[\w$]+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+[\w$]+))?)`;
const STATIC = new RegExp(String.raw`^[ \t]*(?:import|export)\s+(type\s+)?(${CLAUSE})\s*from\s*["']([^"']+)["']`, "gm");
const SIDE_EFFECT = /^[ \t]*import\s*["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
/** `x: import("y").T`, `as import("y").T`, `<import("y").T>`: a type position, not a load. */
const TYPE_POSITION = /(?:[:<|&]|\bas|\btypeof)\s*$/;

const isFile = (p: string) => existsSync(path.join(ROOT, p)) && statSync(path.join(ROOT, p)).isFile();

function resolveSpecifier(from: string, specifier: string): Pick<Import, "kind" | "target"> {
  if (!specifier.startsWith(".") && !specifier.startsWith("@/")) {
    const builtin = specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]);
    return { kind: builtin ? "builtin" : "package", target: null };
  }
  const base = specifier.startsWith("@/") ? specifier.slice(2) : path.posix.join(path.posix.dirname(from), specifier);
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => `${base}/index${e}`)];
  return { kind: "project", target: candidates.find(isFile) ?? null };
}

function scanImports(file: string, text: string): Import[] {
  const found: Import[] = [];
  const lineOf = (index: number) => text.slice(0, index).split("\n").length;
  const add = (index: number, specifier: string, typeOnly: boolean) =>
    found.push({ file, line: lineOf(index), specifier, typeOnly, ...resolveSpecifier(file, specifier) });
  for (const m of text.matchAll(STATIC)) {
    const [, typeKeyword, clause, specifier] = m;
    const names = clause.startsWith("{")
      ? clause
          .slice(1, -1)
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    add(m.index, specifier, Boolean(typeKeyword) || (names.length > 0 && names.every((n) => n.startsWith("type "))));
  }
  for (const m of text.matchAll(SIDE_EFFECT)) add(m.index, m[1], false);
  for (const m of text.matchAll(DYNAMIC)) {
    const before = text.slice(text.lastIndexOf("\n", m.index) + 1, m.index);
    add(m.index, m[1], TYPE_POSITION.test(before));
  }
  return found.sort((a, b) => a.line - b.line);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : sourceFiles(rel);
    return /\.(ts|tsx|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [rel] : [];
  });
}

const FILES = SCANNED.filter((d) => existsSync(path.join(ROOT, d))).flatMap(sourceFiles);
const IMPORTS = FILES.flatMap((f) => scanImports(f, readFileSync(path.join(ROOT, f), "utf8")));

// ---------- the rules ----------

const under = (dir: string) => (p: string | null) => p !== null && p.startsWith(dir);
const inProject = (imp: Import, dir: string) => imp.kind === "project" && under(dir)(imp.target);

type Rule = {
  name: string;
  appliesTo: (file: string) => boolean;
  /** Whether tests and test helpers in those folders are held to the rule too. */
  testsToo: boolean;
  breaks: (imp: Import) => boolean;
};

/** The statistics' distributions (beta quantile, normal CDF and quantile): pure math, a well-kept library. */
const STDLIB_DISTRIBUTIONS = /^@stdlib\/stats-base-dists-(beta-quantile|normal-cdf|normal-quantile)$/;

const RULES: Rule[] = [
  {
    name: "lib (code shared by the browser, the server, the CLI and the pure machine) imports nothing: no project file outside lib/, no package, no node: module (its tests may import vitest)",
    appliesTo: under("lib/"),
    testsToo: true,
    breaks: (imp) => (imp.kind === "project" ? !under("lib/")(imp.target) : !(imp.specifier === "vitest" && TEST_FILE.test(imp.file))),
  },
  {
    name: "engine/machine imports nothing outside itself but lib/ (pure formatting), types from db/schema and the pure config schema (no node:, no packages but @stdlib's pure distributions in statistics.ts, no db client, no providers)",
    appliesTo: under("server/engine/machine/"),
    testsToo: true,
    breaks: (imp) =>
      imp.kind === "project"
        ? !(
            under("server/engine/machine/")(imp.target) ||
            under("lib/")(imp.target) ||
            (imp.typeOnly && under("db/schema/")(imp.target)) ||
            // zod without I/O: the config's stage table is the machine's input (tests use its DEFAULT_STAGES).
            ((imp.typeOnly || TEST_FILE.test(imp.file)) && imp.target === "server/config/schema.ts")
          )
        : !(
            (imp.specifier === "vitest" && TEST_FILE.test(imp.file)) ||
            (imp.file === "server/engine/machine/statistics.ts" && STDLIB_DISTRIBUTIONS.test(imp.specifier))
          ),
  },
  {
    name: "providers never import db/, server/services, or the engine but its pure machine and clock.ts (plain timing): no store, runner or outbox",
    appliesTo: under("server/providers/"),
    testsToo: true,
    breaks: (imp) =>
      inProject(imp, "db/") ||
      inProject(imp, "server/services/") ||
      (inProject(imp, "server/engine/") && !inProject(imp, "server/engine/machine/") && imp.target !== "server/engine/clock.ts"),
  },
  {
    name: "the engine's store (reads and saves of region rollouts, shared by the runner and the services) imports no runner, services, transports or providers but their types, and no event consumer (outbox, metrics): they are passed in",
    appliesTo: under("server/engine/store/"),
    testsToo: false,
    breaks: (imp) =>
      inProject(imp, "server/engine/runner/") ||
      inProject(imp, "server/services/") ||
      inProject(imp, "server/api/") ||
      (inProject(imp, "server/providers/") && imp.target !== "server/providers/types.ts") ||
      inProject(imp, "server/engine/outbox/") ||
      imp.target === "server/metrics.ts",
  },
  {
    name: "the outbox (engine/outbox: cards, Pushgateway, Grafana) is given its config: no global config (server/config/index.ts), no runner, services or transports, the store's types only",
    appliesTo: under("server/engine/outbox/"),
    testsToo: false,
    breaks: (imp) =>
      imp.target === "server/config/index.ts" ||
      inProject(imp, "server/engine/runner/") ||
      inProject(imp, "server/services/") ||
      inProject(imp, "server/api/") ||
      (!imp.typeOnly && inProject(imp, "server/engine/store/")),
  },
  {
    name: "only the SQLite implementation (db/sqlite) and the tables it defines (db/schema) know the dialect: better-sqlite3, drizzle's sqlite-core and better-sqlite3 driver nowhere else (but db/pg/schema.ts, which reads the tables' config to translate them)",
    appliesTo: (f) => !f.startsWith("db/sqlite/") && !f.startsWith("db/schema/"),
    testsToo: false,
    breaks: (imp) =>
      imp.kind === "package" &&
      /^(better-sqlite3|drizzle-orm\/(sqlite-core|better-sqlite3))(\/|$)/.test(imp.specifier) &&
      !(imp.file === "db/pg/schema.ts" && imp.specifier === "drizzle-orm/sqlite-core"),
  },
  {
    name: "only the PostgreSQL implementation (db/pg) knows PostgreSQL: pg, drizzle's pg-core and node-postgres driver nowhere else (the lab's PostgreSQL server and its tests use the pg client)",
    appliesTo: (f) => !f.startsWith("db/pg/"),
    testsToo: true,
    breaks: (imp) =>
      imp.kind === "package" &&
      (/^drizzle-orm\/(pg-core|node-postgres)(\/|$)/.test(imp.specifier) || (/^pg(\/|$)/.test(imp.specifier) && !imp.file.startsWith("lab/"))),
  },
  {
    name: "the dialects import nothing of each other: db/sqlite and db/pg meet only where a store is chosen (db/client.ts) and in the SQLite-to-PostgreSQL copy (db/copy.ts)",
    appliesTo: (f) => f.startsWith("db/sqlite/") || f.startsWith("db/pg/"),
    testsToo: false,
    breaks: (imp) => (imp.file.startsWith("db/sqlite/") && inProject(imp, "db/pg/")) || (imp.file.startsWith("db/pg/") && inProject(imp, "db/sqlite/")),
  },
  {
    name: "the repositories (db/store) are written once for every dialect: nothing from db/sqlite or db/pg (but the type alias of the handle they are given, db/store/query.ts)",
    appliesTo: under("db/store/"),
    testsToo: false,
    breaks: (imp) => (inProject(imp, "db/sqlite/") && !(imp.file === "db/store/query.ts" && imp.typeOnly)) || inProject(imp, "db/pg/"),
  },
  {
    name: "above db/, code speaks to the store's repositories only: no drizzle-orm, nothing from db/schema but types (its fixed words come from db/store/vocabulary.ts), no db/sqlite or db/pg but through db/client",
    appliesTo: (f) => !f.startsWith("db/"),
    testsToo: false,
    breaks: (imp) =>
      !imp.typeOnly &&
      ((imp.kind === "package" && /^drizzle-(orm|kit)(\/|$)/.test(imp.specifier)) ||
        inProject(imp, "db/schema/") ||
        inProject(imp, "db/sqlite/") ||
        inProject(imp, "db/pg/")),
  },
  {
    name: "db imports nothing outside db/ (its tests may take a PostgreSQL database from lab/test-postgres.ts)",
    appliesTo: under("db/"),
    testsToo: true,
    breaks: (imp) => imp.kind === "project" && !under("db/")(imp.target) && !(TEST_FILE.test(imp.file) && imp.target === "lab/test-postgres.ts"),
  },
  {
    name: "components import server/ and db/ for types only (data comes through the tRPC client)",
    appliesTo: under("components/"),
    testsToo: true,
    breaks: (imp) => !imp.typeOnly && (inProject(imp, "server/") || inProject(imp, "db/")),
  },
  {
    name: "app reaches db/ only through server/ (types excepted)",
    appliesTo: under("app/"),
    testsToo: true,
    breaks: (imp) => !imp.typeOnly && inProject(imp, "db/"),
  },
  {
    name: "routers call services: no db/, engine or providers in server/api/routers (types from db excepted)",
    appliesTo: under("server/api/routers/"),
    testsToo: false,
    breaks: (imp) => (!imp.typeOnly && inProject(imp, "db/")) || inProject(imp, "server/engine/") || inProject(imp, "server/providers/"),
  },
  {
    name: "services use the machine's commands, the engine's store, its clock (server/engine/clock.ts) and the provider interfaces, not the runner, providers or transports",
    appliesTo: under("server/services/"),
    testsToo: false,
    breaks: (imp) =>
      inProject(imp, "server/engine/runner/") ||
      (inProject(imp, "server/providers/") && imp.target !== "server/providers/types.ts") ||
      inProject(imp, "server/api/") ||
      inProject(imp, "app/") ||
      inProject(imp, "components/"),
  },
  {
    name: "server code does not import app/ or components/",
    appliesTo: under("server/"),
    testsToo: false,
    breaks: (imp) => inProject(imp, "app/") || inProject(imp, "components/"),
  },
  {
    name: "shipped code does not import lab/ or scripts/ (only tests may use the lab)",
    appliesTo: (f) => ["app/", "components/", "server/", "db/"].some((d) => f.startsWith(d)),
    testsToo: false,
    breaks: (imp) => inProject(imp, "lab/") || inProject(imp, "scripts/"),
  },
];

/**
 * Imports that break a rule on purpose or as a debt, each with why. `accepted`: deliberate, explained in
 * docs/architecture.md. `debt`: should move, see the doc. `to decide`: breaks a rule as written; the lead
 * decides whether the code or the rule changes.
 */
const KNOWN_EXCEPTIONS: { rule: string; file: string; target: string; verdict: "accepted" | "debt" | "to decide"; reason: string }[] = [
  {
    rule: "server code does not import app/ or components/",
    file: "server/api/server.ts",
    target: "components/trpc/query-client.ts",
    verdict: "accepted",
    reason:
      "the server caller dehydrates into a QueryClient the browser hydrates; one factory keeps both sides' options (superjson, streamed pending queries) identical. The file has no React and no browser code.",
  },
];

const isKnown = (rule: Rule, imp: Import) => KNOWN_EXCEPTIONS.some((e) => e.rule === rule.name && e.file === imp.file && e.target === imp.target);
const show = (imp: Import) => `${imp.file}:${imp.line} → ${imp.target ?? imp.specifier}${imp.typeOnly ? " (type)" : ""}`;
const violations = (rule: Rule) => IMPORTS.filter((imp) => rule.appliesTo(imp.file) && (rule.testsToo || !TEST_FILE.test(imp.file)) && rule.breaks(imp));

// ---------- the tests ----------

describe("the import scan", () => {
  it("reads imports as TypeScript does: multi-line, type-only, side-effect and dynamic", () => {
    const text = [
      'import "server-only";',
      "import {",
      "  a,",
      "  type B,",
      '} from "./b";',
      'import type { C } from "@/db/schema/rollouts";',
      'import { type D, type E } from "node:fs";',
      'export * from "./types";',
      'const body = res as import("node:stream/web").ReadableStream;',
      'const mod = await import("@/server/metrics");',
      ' * import { not } from "a-comment";',
    ].join("\n");
    const found = scanImports("server/engine/machine/x.ts", text).map((i) => [i.line, i.specifier, i.kind, i.target, i.typeOnly]);
    expect(found).toEqual([
      [1, "server-only", "package", null, false],
      [2, "./b", "project", null, false],
      [6, "@/db/schema/rollouts", "project", "db/schema/rollouts.ts", true],
      [7, "node:fs", "builtin", null, true],
      [8, "./types", "project", "server/engine/machine/types.ts", false],
      [9, "node:stream/web", "builtin", null, true],
      [10, "@/server/metrics", "project", "server/metrics.ts", false],
    ]);
  });

  it("resolves every project import to a file, so no import escapes the rules", () => {
    expect(FILES).toContain("server/architecture.test.ts");
    const unresolved = IMPORTS.filter((i) => i.kind === "project" && i.target === null).map(show);
    expect(unresolved).toEqual([]);
  });
});

describe("import rules (docs/architecture.md)", () => {
  it.each(RULES.map((r) => [r.name, r] as const))("%s", (_name, rule) => {
    expect(
      violations(rule)
        .filter((imp) => !isKnown(rule, imp))
        .map(show),
    ).toEqual([]);
  });

  it("lists no known exception that the code no longer needs", () => {
    const stale = KNOWN_EXCEPTIONS.filter((e) => {
      const rule = RULES.find((r) => r.name === e.rule);
      return !rule || !violations(rule).some((imp) => imp.file === e.file && imp.target === e.target);
    });
    expect(stale.map((e) => `${e.file} → ${e.target} (${e.rule})`)).toEqual([]);
  });

  it("engine/machine reads no clock, randomness or environment: time comes in as an argument", () => {
    const impure = /\bDate\.now\(|\bnew Date\(\s*\)|\bMath\.random\(|\bprocess\./;
    const found = FILES.filter((f) => f.startsWith("server/engine/machine/") && !TEST_FILE.test(f)).flatMap((f) =>
      readFileSync(path.join(ROOT, f), "utf8")
        .split("\n")
        .flatMap((text, i) => (impure.test(text) ? [`${f}:${i + 1}: ${text.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it("providers reach db/ through no chain of runtime imports", () => {
    const next = new Map<string, string[]>();
    for (const imp of IMPORTS) {
      if (imp.kind === "project" && imp.target && !imp.typeOnly) next.set(imp.file, [...(next.get(imp.file) ?? []), imp.target]);
    }
    const chains: string[] = [];
    for (const start of FILES.filter(under("server/providers/"))) {
      const via = new Map<string, string>([[start, ""]]);
      const queue = [start];
      while (queue.length > 0) {
        const file = queue.shift()!;
        if (file.startsWith("db/")) {
          const chain = [file];
          for (let f = via.get(file)!; f; f = via.get(f)!) chain.unshift(f);
          chains.push(chain.join(" → "));
          continue;
        }
        for (const target of next.get(file) ?? []) {
          if (via.has(target)) continue;
          via.set(target, file);
          queue.push(target);
        }
      }
    }
    expect(chains).toEqual([]);
  });
});

describe("the store's repositories (db/store) stay portable to another SQL engine", () => {
  /** better-sqlite3's synchronous calls and its connection: a PostgreSQL driver has neither. */
  const DRIVER_ONLY = /\.(get|all|run|values)\(\s*\)|\$client|\bpragma\b/;
  it("await their queries instead of calling a driver's synchronous methods", () => {
    const found = FILES.filter((f) => f.startsWith("db/store/") && !TEST_FILE.test(f)).flatMap((f) =>
      readFileSync(path.join(ROOT, f), "utf8")
        .split("\n")
        .flatMap((line, i) => (DRIVER_ONLY.test(line) && !/^\s*(\*|\/\/)/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
