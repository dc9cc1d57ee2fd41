// A release's behaviour, read from the release.json its artifact carries: a bad release is really bad.
import { readFileSync } from "node:fs";
import path from "node:path";

export function readRelease(dir) {
  const raw = JSON.parse(readFileSync(path.join(dir, "release.json"), "utf8"));
  const number = (value, name, min, max) => {
    if (value === undefined) return min;
    if (typeof value !== "number" || !(value >= min && value <= max))
      throw new Error(`release.json: ${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return value;
  };
  if (typeof raw.version !== "string" || raw.version === "") throw new Error(`release.json: version must be text, got ${JSON.stringify(raw.version)}`);
  return {
    version: raw.version,
    errorRatePct: number(raw.errorRatePct, "errorRatePct", 0, 100),
    extraLatencyMs: number(raw.extraLatencyMs, "extraLatencyMs", 0, 60_000),
    healthStatus: raw.healthStatus === undefined ? 200 : number(raw.healthStatus, "healthStatus", 100, 599),
  };
}

/**
 * Which requests fail: exactly `errorRatePct` % of them, spread evenly (5 % is the 1st, 21st, 41st ...
 * request), so a short canary window shows the release's true rate instead of a random draw, and a bad
 * release shows itself from its first request rather than after however long its first error takes.
 */
export function createErrorSchedule(errorRatePct) {
  let owed = errorRatePct > 0 ? 100 - errorRatePct : 0;
  return () => {
    owed += errorRatePct;
    if (owed < 100) return false;
    owed -= 100;
    return true;
  };
}

/** The service's own work: 5 to 25 ms, plus the release's extra latency. */
export function workMs(release) {
  return 5 + Math.random() * 20 + release.extraLatencyMs;
}
