/**
 * Liveness for load balancers and monitors. Anyone gets only ok / not ok (the status code and `{status}`); the
 * details (database, the engine runner's heartbeat, host and pid) need a signed-in user or an API token.
 */
import { getDb } from "@/db/client";
import { jsonAnswer } from "@/server/api/http";
import { can, scopeAllows } from "@/server/auth/roles";
import { getSessionUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { readHealth } from "@/server/health";
import { logger } from "@/server/log";
import { authenticateToken } from "@/server/services/api-tokens";

export const dynamic = "force-dynamic";

/** A token that may read, or a signed-in user; an unknown or expired token just gets the short answer. */
async function maySeeDetails(request: Request, now: number): Promise<boolean> {
  const authorization = request.headers.get("authorization");
  try {
    if (authorization) {
      const { actor, scope } = authenticateToken(getDb(), authorization, now, getConfig().config.demo);
      return scopeAllows(scope, "read") && can(actor.roles, "read");
    }
    const user = await getSessionUser();
    return user !== null && can(user.roles, "read");
  } catch {
    return false;
  }
}

export async function GET(request: Request): Promise<Response> {
  const now = Date.now();
  let health: ReturnType<typeof readHealth>;
  try {
    health = readHealth(now);
  } catch (err) {
    logger.error({ err }, "health check: the database did not answer");
    // Without the database neither a token nor a session can be checked: everyone gets the short answer.
    return jsonAnswer(503, { status: "error" });
  }
  const body = (await maySeeDetails(request, now)) ? { status: "ok", ...health } : { status: "ok" };
  return jsonAnswer(200, body);
}
