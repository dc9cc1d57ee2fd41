/** FLIGHTDECK_CRASH_AT as read at start-up: which point, which time, and when it is refused. The kills: runner/crash-points.test.ts. */
import { describe, expect, it } from "vitest";
import { checkEnvironment } from "@/server/config/env";
import { CRASH_POINTS, parseCrashAt } from "./crash-points";

describe("FLIGHTDECK_CRASH_AT", () => {
  it("arms a point the first time it is reached, or the n-th", () => {
    expect(parseCrashAt("deploy.after-effect", "test")).toEqual({ armed: { point: "deploy.after-effect", n: 1 } });
    expect(parseCrashAt("traffic.after-record:3", undefined)).toEqual({ armed: { point: "traffic.after-record", n: 3 } });
  });

  it("arms nothing when unset", () => {
    expect(parseCrashAt(undefined, "test")).toEqual({ armed: null });
  });

  it("is refused in production, whatever it names", () => {
    expect(parseCrashAt("send.after-effect", "production")).toEqual({ armed: null, refused: "crash points are for tests only, and NODE_ENV is production" });
  });

  it("refuses a name that is no crash point, listing them", () => {
    const { armed, refused } = parseCrashAt("deploy.halfway", "test");
    expect(armed).toBeNull();
    expect(refused).toContain('"deploy.halfway" is no crash point; the points: deploy.before-effect, deploy.after-effect');
  });

  it("has a point before, after and after the record of each effect", () => {
    const kinds = ["deploy", "traffic", "rollback", "traffic-check", "send"];
    expect(CRASH_POINTS).toEqual(kinds.flatMap((k) => [`${k}.before-effect`, `${k}.after-effect`, `${k}.after-record`]));
  });

  it("is checked at start-up with the other variables: a value not shaped <point>[:<n>] is named", () => {
    expect(checkEnvironment({ FLIGHTDECK_CRASH_AT: "deploy.after-effect:2" })).toEqual([]);
    expect(checkEnvironment({ FLIGHTDECK_CRASH_AT: "deploy:0" })).toEqual([
      { path: "FLIGHTDECK_CRASH_AT", message: 'expected <point>[:<n>], such as deploy.after-effect:1, got "deploy:0"' },
    ]);
  });
});
