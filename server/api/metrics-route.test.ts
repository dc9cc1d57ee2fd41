import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/metrics/route";
import { getMetricsRegistry } from "@/server/metrics";

describe("GET /api/metrics", () => {
  // The scrape reads rollouts by phase from the process database: give it a fresh one, never data/.
  beforeAll(() => {
    process.env.FLIGHTDECK_DB = path.join(mkdtempSync(path.join(tmpdir(), "fd-metrics-")), "db.sqlite");
  });

  it("serves the default process metrics in Prometheus text format", async () => {
    const res = await GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{app="flightdeck"\} \d+/m);
  });

  it("keeps one registry across module reloads, so the default metrics are registered once", async () => {
    const registry = getMetricsRegistry();
    expect(getMetricsRegistry()).toBe(registry);
    vi.resetModules(); // what a hot reload does: the module is evaluated again
    const { getMetricsRegistry: reloaded } = await import("@/server/metrics");
    expect(reloaded()).toBe(registry);
  });
});
