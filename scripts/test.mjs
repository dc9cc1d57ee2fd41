#!/usr/bin/env node
// `npm test`: the whole suite in order — system packages, type check, lint, format check (Prettier), unit + integration (Vitest),
// production build, e2e (Playwright in Debian's Chromium). Missing system packages are installed with apt when
// running as root; otherwise it stops with one line naming what to install. Nothing is skipped silently.
// Ends with one line: `summary: N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureSystemPackages } from "./system-packages.mjs";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules/.bin", name);
const reports = path.join(root, "test-results");
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const steps = [];
function step(name, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  const ok = res.status === 0;
  steps.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  if (!ok) finish(`${name} failed`);
}

function count() {
  let passed = 0;
  let failed = 0;
  const vitest = path.join(reports, "vitest.json");
  if (existsSync(vitest)) {
    const r = JSON.parse(readFileSync(vitest, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
  }
  const pw = path.join(reports, "playwright.json");
  if (existsSync(pw)) {
    const s = JSON.parse(readFileSync(pw, "utf8")).stats ?? {};
    passed += (s.expected ?? 0) + (s.flaky ?? 0);
    failed += s.unexpected ?? 0;
  }
  return { passed, failed };
}

function finish(error) {
  console.log("\n" + steps.map((s) => `${s.ok ? "✔" : "✘"} ${s.name} (${s.seconds}s)`).join("\n"));
  const { passed, failed } = count();
  if (error) console.error(`\n${error}`);
  console.log(`summary: ${passed} passed, ${error && failed === 0 ? 1 : failed} failed`);
  process.exit(error ? 1 : 0);
}

// Chromium for the e2e tests; the lab's real servers for the provider and lab tests; PostgreSQL for the store tests.
ensureSystemPackages(["chromium", "prometheus", "prometheus-pushgateway", "haproxy", "nginx", "openssh-server", "postgresql", "awscli"]);
step("type check", bin("tsc"), ["--noEmit"]);
step("lint", bin("eslint"), ["--max-warnings", "0", "."]);
step("format", bin("prettier"), ["--check", "."]);
step("unit and integration tests", bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${path.join(reports, "vitest.json")}`]);
step("production build", process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"]);
step("worker build", process.execPath, [path.join(root, "scripts/build-worker.mjs")]);
step("end-to-end tests", bin("playwright"), ["test"]);
finish();
