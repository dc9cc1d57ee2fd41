/**
 * The one helper of the REST API's route handlers (`app/api/v1/...`): authenticate the bearer token, check the
 * route's permission against the token's scope and its creator's current roles (roles.ts), build the service
 * context, call the handler, and answer JSON; service errors map through HTTP_STATUS, anything else is logged
 * and answered as a plain 500. Each handler carries its permission, so the RBAC matrix test reads it.
 */
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { logger } from "@/server/log";
import { can, scopeAllows, scopesAllowing, type Permission } from "@/server/auth/roles";
import { authenticateToken } from "@/server/services/api-tokens";
import type { ServiceContext } from "@/server/services/context";
import { badRequest, forbidden, HTTP_STATUS, ServiceError } from "@/server/services/errors";
import { jsonAnswer, readBodyWithLimit } from "./http";

export type RestCall<P> = { request: Request; params: P; ctx: ServiceContext };
type RouteContext<P> = { params: Promise<P> };

const MAX_BODY_BYTES = 64 * 1024;

export type RestHandler<P> = ((request: Request, route: RouteContext<P>) => Promise<Response>) & { permission: Permission };

export function restRoute<P>(permission: Permission, handle: (call: RestCall<P>) => unknown, successStatus = 200): RestHandler<P> {
  const handler = async (request: Request, route: RouteContext<P>): Promise<Response> => {
    try {
      const now = Date.now();
      const db = getDb();
      const config = getConfig().config;
      const token = authenticateToken(db, request.headers.get("authorization"), now, config.demo);
      if (!scopeAllows(token.scope, permission)) {
        throw forbidden(`${token.actor.name} is a ${token.scope} token; this call (${permission}) needs a ${scopesAllowing(permission).join(" or ")} token.`);
      }
      if (!can(token.actor.roles, permission)) {
        throw forbidden(`${token.actor.name} acts for its creator, whose roles (${token.actor.roles.join(", ")}) no longer allow ${permission}; ask an admin for a new token.`);
      }
      const ctx: ServiceContext = { db, config, actor: token.actor, now };
      return jsonAnswer(successStatus, await handle({ request, params: await route.params, ctx }));
    } catch (err) {
      if (err instanceof ServiceError) return jsonAnswer(HTTP_STATUS[err.code], { error: err.message, ...(err.details ? { details: err.details } : {}) });
      logger.error({ err, url: request.url }, "REST API: unexpected error");
      return jsonAnswer(500, { error: "Something went wrong on the server; it has been logged." });
    }
  };
  return Object.assign(handler, { permission });
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
