import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/metrics/route";
import { setConfig } from "@/server/config";
import { demoConfig } from "@/server/engine/runner/test-fixtures";
import { getMetricsRegistry } from "@/server/metrics";

const scrape = (authorization?: string) => GET(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }));
// Set on the parsed config: the loader itself refuses a config whose *Env variable is not set.
function withMetricsToken(envName: string | undefined) {
  const config = demoConfig();
  config.observability.metricsBearerTokenEnv = envName;
  setConfig({ config, file: "test.yaml" });
}

describe("GET /api/metrics", () => {
  // The scrape reads rollouts by phase from the process database: give it a fresh one, never data/.
  beforeAll(() => {
    process.env.FLIGHTDECK_DB = path.join(mkdtempSync(path.join(tmpdir(), "fd-metrics-")), "db.sqlite");
  });
  afterEach(() => {
    delete process.env.FD_TEST_METRICS_TOKEN;
    withMetricsToken(undefined);
  });

  it("serves the default process metrics in Prometheus text format", async () => {
    withMetricsToken(undefined);
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{app="flightdeck"\} \d+/m);
  });

  it("refuses a scrape without the bearer token when the config asks for one, and serves it with the token", async () => {
    process.env.FD_TEST_METRICS_TOKEN = "metrics-secret-0123456789";
    withMetricsToken("FD_TEST_METRICS_TOKEN");
    for (const authorization of [undefined, "Bearer wrong", "Bearer metrics-secret-012345678", "Basic bWV0cmljcy1zZWNyZXQ="]) {
      const res = await scrape(authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = await res.json();
      expect(body.error).toContain("FD_TEST_METRICS_TOKEN");
      expect(JSON.stringify(body)).not.toContain("metrics-secret");
    }
    const ok = await scrape("Bearer metrics-secret-0123456789");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# HELP /m);
  });

  it("fails closed, saying which variable is missing, when the token's variable is unset after start", async () => {
    withMetricsToken("FD_TEST_METRICS_TOKEN");
    const res = await scrape("Bearer anything");
    expect(res.status).toBe(503);
    expect((await res.json()).error).toContain("FD_TEST_METRICS_TOKEN is not set");
  });

  it("keeps one registry across module reloads, so the default metrics are registered once", async () => {
    const registry = getMetricsRegistry();
    expect(getMetricsRegistry()).toBe(registry);
    vi.resetModules(); // what a hot reload does: the module is evaluated again
    const { getMetricsRegistry: reloaded } = await import("@/server/metrics");
    expect(reloaded()).toBe(registry);
  });
});
