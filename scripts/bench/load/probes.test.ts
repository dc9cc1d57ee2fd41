import { expect, it } from "vitest";
import { gauges } from "./probes";

it("reads gauges from the Prometheus text format, labelled or not, and says which are missing", () => {
  const text = [
    "# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.",
    "# TYPE nodejs_heap_size_used_bytes gauge",
    'nodejs_heap_size_used_bytes{app="flightdeck"} 52428800',
    "nodejs_eventloop_lag_p99_seconds 0.0123",
    'nodejs_heap_size_used_bytes_extra{app="flightdeck"} 1',
  ].join("\n");
  expect(gauges(text, ["nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_p99_seconds", "process_resident_memory_bytes"])).toEqual({
    nodejs_heap_size_used_bytes: 52428800,
    nodejs_eventloop_lag_p99_seconds: 0.0123,
    process_resident_memory_bytes: undefined,
  });
});
