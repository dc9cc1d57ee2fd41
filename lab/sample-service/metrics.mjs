// Prometheus text exposition of the sample service, by hand: the service has no dependencies.
import os from "node:os";

/** Fine around the canary thresholds (300 to 500 ms) so that p95 by histogram_quantile lands within 50 ms. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.75, 1, 2.5, 5];

export function createMetrics(release) {
  // Both codes exist from the start, so the first scrape sees 0 and rate() counts the very first errors.
  const requests = new Map([
    ["200", 0],
    ["500", 0],
  ]);
  const buckets = LATENCY_BUCKETS_SECONDS.map(() => 0);
  let count = 0;
  let sum = 0;

  return {
    observe(code, seconds) {
      requests.set(String(code), (requests.get(String(code)) ?? 0) + 1);
      LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
        if (seconds <= le) buckets[i] += 1;
      });
      count += 1;
      sum += seconds;
    },
    render() {
      const cpu = process.cpuUsage();
      const lines = [
        "# HELP http_requests_total Requests to / (the work endpoint; /health and /metrics are not counted), by status code.",
        "# TYPE http_requests_total counter",
        ...[...requests].map(([code, n]) => `http_requests_total{code="${code}"} ${n}`),
        "# HELP http_request_duration_seconds Time to answer a request to /, in seconds.",
        "# TYPE http_request_duration_seconds histogram",
        ...LATENCY_BUCKETS_SECONDS.map((le, i) => `http_request_duration_seconds_bucket{le="${le}"} ${buckets[i]}`),
        `http_request_duration_seconds_bucket{le="+Inf"} ${count}`,
        `http_request_duration_seconds_sum ${sum}`,
        `http_request_duration_seconds_count ${count}`,
        "# HELP process_cpu_seconds_total User and system CPU time of the process, in seconds.",
        "# TYPE process_cpu_seconds_total counter",
        `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
        "# HELP process_resident_memory_bytes Resident memory of the process, in bytes.",
        "# TYPE process_resident_memory_bytes gauge",
        `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
        "# HELP node_memory_MemTotal_bytes Memory of the host, in bytes (node_exporter's name, so the same memory query works).",
        "# TYPE node_memory_MemTotal_bytes gauge",
        `node_memory_MemTotal_bytes ${os.totalmem()}`,
        "# HELP process_start_time_seconds Start time of the process since the unix epoch, in seconds.",
        "# TYPE process_start_time_seconds gauge",
        `process_start_time_seconds ${Math.floor((Date.now() - process.uptime() * 1000) / 1000)}`,
        "# HELP app_release_info The release this process runs (from its artifact's release.json).",
        "# TYPE app_release_info gauge",
        `app_release_info{version="${release.version}"} 1`,
      ];
      return lines.join("\n") + "\n";
    },
  };
}
