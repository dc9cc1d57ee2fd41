/**
 * The environment is parsed in one place: code reads `serverEnv()` (typed) or, for the variables the fleet config
 * names, `rawEnv()`; never `process.env` itself (except the two values Next.js inlines at build time).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { rawEnv, serverEnv } from "./env";

const saved = { ...process.env };
afterEach(() => {
  for (const name of ["FLIGHTDECK_LEASE_TTL_MS", "FLIGHTDECK_ENGINE", "PORT", "FD_ENV_TEST_REFERENCED"]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

it("serverEnv gives the typed variables, follows a change, and reads an invalid or empty value as unset", () => {
  process.env.FLIGHTDECK_LEASE_TTL_MS = "2500";
  process.env.FLIGHTDECK_ENGINE = "off";
  const first = serverEnv();
  expect(first).toMatchObject({ FLIGHTDECK_LEASE_TTL_MS: "2500", FLIGHTDECK_ENGINE: "off" });
  expect(serverEnv()).toBe(first); // parsed once while nothing changes
  expect(Object.isFrozen(first)).toBe(true);

  process.env.FLIGHTDECK_ENGINE = "on";
  process.env.PORT = "eighty"; // start-up refuses it by name; here it reads as unset, never as a wrong value
  process.env.FLIGHTDECK_LEASE_TTL_MS = "";
  const next = serverEnv();
  expect(next.FLIGHTDECK_ENGINE).toBe("on");
  expect(next.PORT).toBeUndefined();
  expect(next.FLIGHTDECK_LEASE_TTL_MS).toBeUndefined();
});

it("rawEnv is the live environment, for the names the fleet config chooses", () => {
  process.env.FD_ENV_TEST_REFERENCED = "hook";
  expect(rawEnv().FD_ENV_TEST_REFERENCED).toBe("hook");
  expect("FD_ENV_TEST_REFERENCED" in serverEnv()).toBe(false);
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) && !/\.test\.ts$|test-fixtures\.ts$|\.fixtures\.ts$/.test(name) ? [full] : [];
  });
}

it("no server code reads process.env except through server/config/env.ts", () => {
  const files = [...sources("server"), ...sources("app"), "instrumentation.ts", "proxy.ts"].filter((f) => f !== path.join("server", "config", "env.ts"));
  const reads: string[] = [];
  for (const file of files) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$|\/\*.*?(\*\/|$)|^\s*\*.*$/g, ""); // code, not comments
        // NODE_ENV and NEXT_RUNTIME: replaced by Next.js at build time, so they stay literal reads.
        const left = code.replace(/process\.env\.(NODE_ENV|NEXT_RUNTIME)\b/g, "");
        if (/process\.env\b/.test(left)) reads.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(reads).toEqual([]);
});
