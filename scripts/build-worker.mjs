#!/usr/bin/env node
// Compiles the engine worker (server/engine/runner/worker.ts) to one ES module, dist/worker.mjs, run by
// `npm run worker` as plain `node dist/worker.mjs` (no tsx at run time). Part of `npm run build`.
// Our code (with the `@/` alias, from tsconfig.json) is bundled; every package stays an import from node_modules,
// so native and heavy ones (better-sqlite3, ssh2, pino, prom-client) load exactly as the server loads them.
// The build fails when the worker imports a package that is not a runtime dependency in package.json.
import { buildSync } from "esbuild";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
export const WORKER_ENTRY = path.join(root, "server/engine/runner/worker.ts");
export const WORKER_OUT = path.join(root, "dist/worker.mjs");

const isBuiltin = (specifier) => specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]);
/** The package a bare import names: `pino` for `pino/file`, `@trpc/server` for `@trpc/server/unstable-core-do-not-import`. */
const packageOf = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

/** Builds dist/worker.mjs (about 0.2 s); throws when esbuild fails or a package is not a runtime dependency. */
export function buildWorker() {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
  const result = buildSync({
    entryPoints: [WORKER_ENTRY],
    outfile: WORKER_OUT,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    sourcemap: "linked",
    metafile: true,
    write: false,
    logLevel: "warning",
    banner: { js: "// Built by scripts/build-worker.mjs from server/engine/runner/worker.ts; do not edit." },
  });
  const imported = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && !isBuiltin(imp.path)) imported.add(packageOf(imp.path));
  }
  const missing = [...imported].filter((name) => !runtime.has(name));
  if (missing.length > 0) {
    throw new Error(`the worker imports ${missing.join(", ")}, which package.json does not list under "dependencies"`);
  }
  // Each file is written aside and renamed into place: a worker starting meanwhile (tests build it in parallel)
  // reads the old build or the new one, never half of one.
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  return { file: WORKER_OUT, packages: [...imported].sort() };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  try {
    const { file, packages } = buildWorker();
    console.log(`worker built: ${path.relative(root, file)} (packages from node_modules: ${packages.join(", ")})`);
  } catch (err) {
    console.error(`Building the worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
