// The lab's sample service: `/` does the work, `/health` answers the release's health status, `/metrics` is
// Prometheus text. PORT, REGION, COLOUR and PIDFILE come from the environment (the host's restart.sh sets them).
import { writeFileSync } from "node:fs";
import http from "node:http";
import { createMetrics } from "./metrics.mjs";
import { createErrorSchedule, readRelease, workMs } from "./release.mjs";

const release = readRelease(import.meta.dirname);
const metrics = createMetrics(release);
const shouldFail = createErrorSchedule(release.errorRatePct);
const identity = { version: release.version, region: process.env.REGION ?? "local", colour: process.env.COLOUR ?? "blue" };

function reply(res, status, body, type = "application/json") {
  res.writeHead(status, { "content-type": type, "x-colour": identity.colour, "x-version": identity.version });
  res.end(type === "application/json" ? JSON.stringify(body) : body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/metrics") return reply(res, 200, metrics.render(), "text/plain; version=0.0.4");
  if (url.pathname === "/health") return reply(res, release.healthStatus, { ...identity, status: release.healthStatus });
  if (url.pathname !== "/") return reply(res, 404, { error: "not found" });
  const started = process.hrtime.bigint();
  const fail = shouldFail();
  setTimeout(() => {
    const status = fail ? 500 : 200;
    reply(res, status, fail ? { ...identity, error: "injected by the release" } : identity);
    metrics.observe(status, Number(process.hrtime.bigint() - started) / 1e9);
  }, workMs(release));
});

const port = Number(process.env.PORT ?? 8080);
server.listen(port, process.env.HOST ?? "127.0.0.1", () => {
  // The pid file appears once the port answers: restart.sh waits for it.
  if (process.env.PIDFILE) writeFileSync(process.env.PIDFILE, `${process.pid}\n`);
  console.log(`sample service ${identity.version} (${identity.region}/${identity.colour}) on port ${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
