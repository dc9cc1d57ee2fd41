/**
 * Prometheus scrape endpoint: the process's default metrics and Flightdeck's own, in the text exposition format.
 * With `observability.metricsBearerTokenEnv` in the config, only `Authorization: Bearer <that secret>` is served.
 */
import { jsonAnswer } from "@/server/api/http";
import { getConfig } from "@/server/config";
import { rawEnv } from "@/server/config/env";
import { getMetricsRegistry } from "@/server/metrics";
import { bearerMatches } from "@/server/security/bearer";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const envName = getConfig().config.observability.metricsBearerTokenEnv;
  if (envName) {
    const expected = rawEnv()[envName]; // named by the config: read at each scrape
    if (!expected)
      return jsonAnswer(503, { error: `The config asks for a metrics token (observability.metricsBearerTokenEnv) but ${envName} is not set on the server.` });
    if (!bearerMatches(request.headers.get("authorization"), expected)) {
      return jsonAnswer(
        401,
        { error: `Send the metrics token as \`Authorization: Bearer <${envName}>\` (Prometheus: authorization.credentials_file).` },
        { "www-authenticate": 'Bearer realm="flightdeck-metrics"' },
      );
    }
  }
  const registry = getMetricsRegistry();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
}
