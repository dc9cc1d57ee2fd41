import { describe, expect, it } from "vitest";
import { PrometheusMetricsProvider } from "./metrics-prometheus";
import { traceHeaders, traceIdFor } from "./trace-headers";
import { CloudflareTrafficProvider } from "./traffic-cloudflare";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe("trace headers", () => {
  it("carry the correlation id and a W3C traceparent whose trace id is the uuid without dashes", () => {
    const id = "5F0C1A2B-3D4E-4F60-8172-93A4B5C6D7E8";
    const headers = traceHeaders(id);
    expect(headers["x-correlation-id"]).toBe(id);
    const m = TRACEPARENT.exec(headers.traceparent);
    expect(m).not.toBeNull();
    expect(m![1]).toBe("5f0c1a2b3d4e4f60817293a4b5c6d7e8");
    expect(m![2]).not.toBe("0000000000000000");
  });

  it("give every request of one rollout the same trace and its own span", () => {
    const id = "9b2e8c4a-1f3d-4a5b-9c6d-7e8f9a0b1c2d";
    const spans = new Set(Array.from({ length: 20 }, () => TRACEPARENT.exec(traceHeaders(id).traceparent)![2]));
    const traces = new Set(Array.from({ length: 20 }, () => TRACEPARENT.exec(traceHeaders(id).traceparent)![1]));
    expect(traces.size).toBe(1);
    expect(spans.size).toBe(20);
  });

  it("derive a stable, valid trace id from a correlation id that is not a uuid", () => {
    expect(traceIdFor("ci-run-4711")).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdFor("ci-run-4711")).toBe(traceIdFor("ci-run-4711"));
    expect(traceIdFor("ci-run-4711")).not.toBe(traceIdFor("ci-run-4712"));
    expect(traceIdFor("00000000-0000-0000-0000-000000000000")).not.toBe("0".repeat(32));
  });

  it("are empty without a correlation id", () => {
    expect(traceHeaders(null)).toEqual({});
    expect(traceHeaders(undefined)).toEqual({});
  });
});

describe("providers send them", () => {
  const id = "5f0c1a2b-3d4e-4f60-8172-93a4b5c6d7e8";
  /** A fetch that records each request's headers and answers with `body`. */
  function recording(body: unknown) {
    const seen: Headers[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      seen.push(new Headers(init.headers));
      return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    return { seen, fetch };
  }

  it("on every Prometheus query of a measurement", async () => {
    const { seen, fetch } = recording({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [0, "1"] }] } });
    const provider = new PrometheusMetricsProvider({ url: () => "http://prom.test:9090", service: "api", timeoutMs: 1000, fetch });
    await provider.measure({ region: "eu-west", colour: "green", stagePercent: 25, from: 0, to: 60_000, correlationId: id });
    expect(seen.length).toBeGreaterThanOrEqual(6);
    for (const h of seen) {
      expect(h.get("x-correlation-id")).toBe(id);
      expect(h.get("traceparent")).toMatch(new RegExp(`^00-${id.replace(/-/g, "")}-[0-9a-f]{16}-01$`));
    }
  });

  it("on Cloudflare API calls", async () => {
    const { seen, fetch } = recording({
      success: true,
      errors: [],
      messages: [],
      result: { id: "rec", type: "A", name: "api.example.com", content: "192.0.2.1" },
    });
    const provider = new CloudflareTrafficProvider({
      mode: "dns",
      apiBaseUrl: "http://cf.test/client/v4",
      credentials: () => ({ zoneId: "z", token: "t", recordId: "rec" }),
      hosts: () => ({ blue: "192.0.2.1", green: "192.0.2.2" }),
      timeoutMs: 1000,
      fetch,
    });
    await provider.getWeight({ region: "eu-west", correlationId: id });
    expect(seen).toHaveLength(1);
    expect(seen[0].get("x-correlation-id")).toBe(id);
    expect(seen[0].get("traceparent")).toMatch(/^00-5f0c1a2b3d4e4f60817293a4b5c6d7e8-[0-9a-f]{16}-01$/);
    expect(seen[0].get("authorization")).toBe("Bearer t");
  });
});
