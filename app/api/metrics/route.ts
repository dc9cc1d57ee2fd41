/** Prometheus scrape endpoint: the process's default metrics and Flightdeck's own, in the text exposition format. */
import { getMetricsRegistry } from "@/server/metrics";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const registry = getMetricsRegistry();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
}
