/**
 * The one helper of the REST API's route handlers (`app/api/v1/...`): authenticate the bearer token, check its
 * scope, build the service context, call the handler, and answer JSON; service errors map through HTTP_STATUS,
 * anything else is logged and answered as a plain 500.
 */
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { logger } from "@/server/log";
import { authenticateToken, type TokenScope } from "@/server/services/api-tokens";
import type { ServiceContext } from "@/server/services/context";
import { badRequest, forbidden, HTTP_STATUS, ServiceError } from "@/server/services/errors";
import { jsonAnswer, readBodyWithLimit } from "./http";

export type RestCall<P> = { request: Request; params: P; ctx: ServiceContext };
type RouteContext<P> = { params: Promise<P> };

const MAX_BODY_BYTES = 64 * 1024;

export function restRoute<P>(scope: TokenScope, handle: (call: RestCall<P>) => unknown, successStatus = 200) {
  return async (request: Request, route: RouteContext<P>): Promise<Response> => {
    try {
      const now = Date.now();
      const db = getDb();
      const token = authenticateToken(db, request.headers.get("authorization"), now);
      if (scope === "write" && token.scope !== "write") throw forbidden(`${token.actor.name} is a read token; this call changes a rollout and needs a write token.`);
      const ctx: ServiceContext = { db, config: getConfig().config, actor: token.actor, now };
      return jsonAnswer(successStatus, await handle({ request, params: await route.params, ctx }));
    } catch (err) {
      if (err instanceof ServiceError) return jsonAnswer(HTTP_STATUS[err.code], { error: err.message, ...(err.details ? { details: err.details } : {}) });
      logger.error({ err, url: request.url }, "REST API: unexpected error");
      return jsonAnswer(500, { error: "Something went wrong on the server; it has been logged." });
    }
  };
}

/** A JSON object body (an empty body is `{}`), at most 64 KiB. */
export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const body = await readBodyWithLimit(request, MAX_BODY_BYTES);
  if (!body.ok) throw badRequest(`The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  if (body.text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch (err) {
    throw badRequest(`The body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badRequest("The body must be a JSON object.");
  return parsed as Record<string, unknown>;
}
