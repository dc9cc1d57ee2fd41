/**
 * Webhook benchmark (issue 7): signed deliveries per second and latency p50 / p99 at a fixed arrival rate
 * (open loop: a request every 1/rate s whatever the answers, latency measured from the scheduled send time)
 * against the real route handler over HTTP on 127.0.0.1, the server in its own process. Goal: p99 < 50 ms at
 * 200 requests per second. Scenarios: replays of one delivery (200: signature + a read in a transaction), and
 * new deliveries for a busy region (409: full check, the transaction runs and rolls back). Each request comes
 * from its own X-Forwarded-For so the per-source rate limit does not answer instead.
 *
 *   npm run bench -- webhook
 *   BENCH_WEBHOOK_RATE=200 BENCH_WEBHOOK_SECONDS=10 npm run bench -- webhook
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { percentile } from "./engine/stats";
import { goodBody, signedRequest } from "@/server/services/ci-webhook.fixtures";

const GOAL = { rate: 200, p99Ms: 50 };
const ROOT = path.resolve(import.meta.dirname, "../..");

function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/bench/webhook/serve.ts")], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = out.match(/BENCH_URL (\S+)/)?.[1];
      if (url) resolve({ url, stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`the benchmark server exited with ${code}`)));
  });
}

async function send(url: string, request: Request): Promise<number> {
  const res = await fetch(`${url}/api/webhooks/ci`, { method: "POST", headers: request.headers, body: await request.text() });
  await res.arrayBuffer();
  return res.status;
}

/** Open loop at `rate` per second for `seconds`; `make(i)` builds (and signs) the i-th request at its send time. */
async function load(url: string, rate: number, seconds: number, make: (i: number) => Request) {
  const total = rate * seconds;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const start = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      send(url, make(i)).then(
        (status) => {
          latencies.push(performance.now() - due);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        },
        () => {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  return {
    sent: total,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    statuses: Object.fromEntries(statuses),
  };
}

export async function run(): Promise<void> {
  const rate = Number(process.env.BENCH_WEBHOOK_RATE ?? GOAL.rate);
  const seconds = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
  const server = await startServer();
  try {
    const first = await send(server.url, signedRequest(goodBody({ regions: "all" }), { delivery: "bench-first", source: "bench" }));
    if (first !== 202) throw new Error(`the first delivery answered ${first}, expected 202`);
    // Warm-up: JIT and connection pool.
    await load(server.url, 50, 2, (i) => signedRequest(goodBody({ regions: "all" }), { delivery: "bench-first", source: `warm-${i}` }));
    const scenarios = {
      "replay (200)": (i: number) => signedRequest(goodBody({ regions: "all" }), { delivery: "bench-first", source: `r-${i}` }),
      "busy region (409)": (i: number) =>
        signedRequest(goodBody({ regions: "all", artifact: { version: `2.0.${i}`, digest: `sha256:${"d".repeat(64)}`, url: "https://a.example.com/x" } }), {
          delivery: `bench-${i}`,
          source: `b-${i}`,
        }),
    };
    console.log(`rate ${rate}/s for ${seconds} s per scenario; goal p99 < ${GOAL.p99Ms} ms at ${GOAL.rate}/s\n`);
    console.log("scenario            answered/s   p50      p99      max      statuses");
    for (const [name, make] of Object.entries(scenarios)) {
      const r = await load(server.url, rate, seconds, make);
      const ms = (v: number | null) => `${(v ?? NaN).toFixed(1)} ms`.padEnd(9);
      console.log(
        `${name.padEnd(20)}${r.perSecond.toFixed(0).padEnd(13)}${ms(r.p50)}${ms(r.p99)}${ms(r.max)}${JSON.stringify(r.statuses)}  ${(r.p99 ?? Infinity) < GOAL.p99Ms ? "meets the goal" : `p99 is ${((r.p99 ?? 0) / GOAL.p99Ms).toFixed(1)}x the goal`}`,
      );
    }
  } finally {
    server.stop();
  }
}
