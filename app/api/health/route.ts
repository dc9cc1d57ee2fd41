/**
 * Liveness for load balancers and monitors. Anyone gets only ok / not ok (the status code and `{status}`); the
 * details (database, the engine runner's heartbeat, host and pid) need a signed-in user or an API token.
 */
import { jsonAnswer, processContext } from "@/server/api/http";
import { realClock } from "@/server/engine/clock";
import { maySeeHealthDetails, readHealth, type HealthContext } from "@/server/health";
import { logger } from "@/server/log";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  let ctx: HealthContext;
  let health: Awaited<ReturnType<typeof readHealth>>;
  try {
    ctx = { ...processContext(), clock: realClock };
    health = await readHealth(ctx);
  } catch (err) {
    logger.error({ err }, "health check: the database did not answer");
    // Without the database neither a token nor a session can be checked: everyone gets the short answer.
    return jsonAnswer(503, { status: "error" });
  }
  const body = (await maySeeHealthDetails(ctx, request)) ? { status: "ok", ...health } : { status: "ok" };
  return jsonAnswer(200, body);
}
