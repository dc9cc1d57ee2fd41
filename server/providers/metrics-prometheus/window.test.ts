/** What the Prometheus provider asks for: the window, where it ends, and the service it names. */
import { describe, expect, it } from "vitest";
import { PrometheusMetricsProvider } from ".";

/** A Prometheus that answers every query with 1 and records the form of each. */
function recordingProvider(minWindowMs?: number) {
  const asked: Array<{ query: string; time: string }> = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    const form = new URLSearchParams(String(init.body));
    asked.push({ query: form.get("query")!, time: form.get("time")! });
    return new Response(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [0, "1"] }] } }));
  }) as typeof globalThis.fetch;
  const provider = new PrometheusMetricsProvider({
    url: () => "http://prom:9090",
    service: "api",
    timeoutMs: 1000,
    minWindowMs,
    fetch,
    queries: { requests: 'sum(increase(req{service="{service}",colour="{colour}"}[{window}]))' },
  });
  return { provider, asked };
}

const T = 1_700_000_000_000;

describe("the window and service of a measurement", () => {
  it("a past window: evaluated at its end, looking back exactly its length (a gap missed during a restart)", async () => {
    const { provider, asked } = recordingProvider();
    await provider.measure({ region: "us-east", colour: "green", stagePercent: 10, from: T - 300_000, to: T });
    const requests = asked.find((a) => a.query.startsWith("sum(increase(req"))!;
    expect(requests).toEqual({ query: 'sum(increase(req{service="api",colour="green"}[300s]))', time: (T / 1000).toFixed(3) });
  });

  it("a window shorter than minWindowMs looks back minWindowMs, still ending at `to`; a longer one keeps its length", async () => {
    const { provider, asked } = recordingProvider(3000);
    await provider.measure({ region: "us-east", colour: "green", stagePercent: 10, from: T - 1000, to: T });
    await provider.measure({ region: "us-east", colour: "green", stagePercent: 10, from: T - 10_000, to: T });
    const windows = asked.filter((a) => a.query.startsWith("sum(increase(req")).map((a) => [/\[(\d+s)\]/.exec(a.query)![1], a.time]);
    expect(windows).toEqual([
      ["3s", (T / 1000).toFixed(3)],
      ["10s", (T / 1000).toFixed(3)],
    ]);
  });

  it("names the service of the rollout in {service}; the fleet's first service only when none is given", async () => {
    const { provider, asked } = recordingProvider();
    await provider.measure({ region: "us-east", colour: "blue", service: "checkout", stagePercent: 10, from: T - 30_000, to: T });
    expect(asked.find((a) => a.query.startsWith("sum(increase(req"))!.query).toBe('sum(increase(req{service="checkout",colour="blue"}[30s]))');
  });
});
