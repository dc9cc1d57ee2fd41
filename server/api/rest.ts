/**
 * The one helper of the REST API's route handlers (`app/api/v1/...`): authenticate the bearer token, check the
 * route's permission against the token's scope and its creator's current roles (roles.ts), build the service
 * context, call the handler, and answer JSON; service errors map through the one table (ERROR_KINDS) to
 * `{ error, issues?, details? }` (restErrorAnswer), anything else is logged and answered as a plain 500. Each
 * handler carries its permission, so the RBAC matrix test reads it. The route files under `app/api/v1` only
 * adapt: what each one does (read the body, pick the command, shape the answer) is a named handler here.
 */
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { logger } from "@/server/log";
import { can, scopeAllows, scopesAllowing, type Permission } from "@/server/auth/roles";
import { authenticateToken } from "@/server/services/api-tokens";
import { systemContext, type ServiceContext } from "@/server/services/context";
import { rolloutUrl } from "@/server/services/ci-webhook";
import { badRequest, ERROR_KINDS, forbidden, notFound, problemsOf, ServiceError, UNKNOWN_ERROR_MESSAGE } from "@/server/services/errors";
import { abortRegion, pauseRegion, promoteRegion, resumeRegion, rollbackRegion } from "@/server/services/region-commands";
import { getRolloutStatus, listRollouts, regionCommandResult } from "@/server/services/rollout-status";
import { startRollout, type StartRolloutInput } from "@/server/services/rollouts";
import { IdempotencyKey } from "@/server/services/idempotency";
import { rollbackService } from "@/server/services/service-rollback";
import { declareFreeze, type DeclareFreezeInput, freezeStatus, liftFreeze } from "@/server/services/freezes";
import { liftQuarantine, listQuarantines } from "@/server/services/quarantines";
import { acknowledgeIncident, listIncidents, resolveIncident } from "@/server/services/incidents";
import { backtestRegion, type BacktestInput } from "@/server/services/backtest";
import { recordedHistory } from "./backtest-source";
import { jsonAnswer, readBodyWithLimit } from "./http";
import { serviceContextOf } from "./service-context";

export type RestCall<P> = { request: Request; params: P; ctx: ServiceContext };
type RouteContext<P> = { params: Promise<P> };

const MAX_BODY_BYTES = 64 * 1024;

export type RestHandler<P> = ((request: Request, route: RouteContext<P>) => Promise<Response>) & { permission: Permission };

export function restRoute<P>(permission: Permission, handle: (call: RestCall<P>) => unknown, successStatus = 200): RestHandler<P> {
  const handler = async (request: Request, route: RouteContext<P>): Promise<Response> => {
    try {
      const db = getDb();
      const token = await authenticateToken(systemContext(db, getConfig().config), request.headers.get("authorization"));
      if (!scopeAllows(token.scope, permission)) {
        throw forbidden(`${token.actor.name} is a ${token.scope} token; this call (${permission}) needs a ${scopesAllowing(permission).join(" or ")} token.`);
      }
      if (!can(token.actor.roles, permission)) {
        throw forbidden(
          `${token.actor.name} acts for its creator, whose roles (${token.actor.roles.join(", ")}) no longer allow ${permission}; ask an admin for a new token.`,
        );
      }
      const ctx = serviceContextOf({ db, actor: token.actor });
      return jsonAnswer(successStatus, await handle({ request, params: await route.params, ctx }));
    } catch (err) {
      return restErrorAnswer(err, request.url);
    }
  };
  return Object.assign(handler, { permission });
}

/** The REST adapter of errors: a ServiceError by the table, with its `{ path, message }` problems as `issues`. */
export function restErrorAnswer(err: unknown, url: string): Response {
  if (err instanceof ServiceError) {
    const issues = problemsOf(err);
    return jsonAnswer(ERROR_KINDS[err.code].http, { error: err.message, ...(issues ? { issues } : {}), ...(err.details ? { details: err.details } : {}) });
  }
  logger.error({ err, url }, "REST API: unexpected error");
  return jsonAnswer(500, { error: UNKNOWN_ERROR_MESSAGE });
}

// The handlers of the routes under app/api/v1 (each route file pairs one with its permission).

export const listRolloutsHandler = ({ request, ctx }: RestCall<unknown>) => listRollouts(ctx, Object.fromEntries(new URL(request.url).searchParams));

export const rolloutStatusHandler = ({ params, ctx }: RestCall<{ id: string }>) => getRolloutStatus(ctx, params.id);

/** An `Idempotency-Key` header makes a retry answer with the rollout the first request started (`replayed: true`). */
export async function startRolloutHandler({ request, ctx }: RestCall<unknown>) {
  const key = idempotencyKeyOf(request);
  const started = await startRollout(ctx, (await readJsonBody(request)) as StartRolloutInput, key ? { idempotencyKey: key } : {});
  return {
    rolloutId: started.rolloutId,
    url: rolloutUrl(ctx.config, started.rolloutId),
    status: "running",
    regions: started.regions.map((r) => r.regionId),
    ...(started.replayed ? { replayed: true } : {}),
  };
}

/** The request's `Idempotency-Key` header, checked, or null when it has none. */
function idempotencyKeyOf(request: Request): string | null {
  const key = request.headers.get("idempotency-key");
  if (key !== null && !IdempotencyKey.safeParse(key).success) {
    throw badRequest("The Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID, a CI run id).", { path: "Idempotency-Key" });
  }
  return key;
}

const REGION_COMMANDS = { pause: pauseRegion, resume: resumeRegion, promote: promoteRegion, abort: abortRegion } as const;
/** The actions that record a reason. */
const WITH_REASON = new Set(["pause", "promote"]);

export async function regionActionHandler({ request, params, ctx }: RestCall<{ id: string; region: string; action: string }>) {
  if (!Object.hasOwn(REGION_COMMANDS, params.action)) throw notFound(`There is no region action "${params.action}"; use pause, resume, promote or abort.`);
  const command = REGION_COMMANDS[params.action as keyof typeof REGION_COMMANDS];
  const { reason } = await readJsonBody(request);
  const input = { rolloutId: params.id, regionId: params.region, ...(WITH_REASON.has(params.action) && typeof reason === "string" ? { reason } : {}) };
  return regionCommandResult(await command(ctx, input));
}

export async function rollbackRegionHandler({ request, params, ctx }: RestCall<{ region: string }>) {
  const { service } = await readJsonBody(request);
  const serviceId = typeof service === "string" ? service : ctx.config.services.length === 1 ? ctx.config.services[0].id : null;
  if (!serviceId) throw badRequest(`Name the service to roll back: {"service": "<id>"} (known: ${ctx.config.services.map((s) => s.id).join(", ")}).`);
  return regionCommandResult(await rollbackRegion(ctx, { serviceId, regionId: params.region }));
}

/**
 * The emergency rollback of every region of a service. An `Idempotency-Key` header makes a retry answer with the
 * first request's outcome (`replayed: true`) instead of requesting again; the body is not read.
 */
export async function rollbackServiceHandler({ request, params, ctx }: RestCall<{ id: string }>) {
  const key = idempotencyKeyOf(request);
  return rollbackService(ctx, { serviceId: params.id, ...(key !== null ? { idempotencyKey: key } : {}) });
}

export const freezeStatusHandler = ({ ctx }: RestCall<unknown>) => freezeStatus(ctx);

export async function declareFreezeHandler({ request, ctx }: RestCall<unknown>) {
  return declareFreeze(ctx, (await readJsonBody(request)) as DeclareFreezeInput);
}

export const liftFreezeHandler = ({ ctx }: RestCall<unknown>) => liftFreeze(ctx);

/** `?serviceId=api&all=true`: a query string, read as the verb's input (all: "true" or "1"). */
export function listQuarantinesHandler({ request, ctx }: RestCall<unknown>) {
  const query = new URL(request.url).searchParams;
  const all = query.get("all");
  return listQuarantines(ctx, {
    ...(query.has("serviceId") ? { serviceId: query.get("serviceId")! } : {}),
    ...(all !== null ? { all: all === "true" || all === "1" } : {}),
  });
}

export async function liftQuarantineHandler({ request, params, ctx }: RestCall<{ id: string }>) {
  const { reason } = await readJsonBody(request);
  return liftQuarantine(ctx, { id: params.id, reason: reason as string });
}

/** The threshold backtest of the route's region, the body its input (`from`, `to`, `colour`, `incidentFrom`, …). */
export async function backtestHandler({ request, params, ctx }: RestCall<{ region: string }>) {
  return backtestRegion(ctx, { ...(await readJsonBody(request)), regionId: params.region } as BacktestInput, recordedHistory(ctx.config));
}

export const listIncidentsHandler = ({ params, ctx }: RestCall<{ id: string }>) => listIncidents(ctx, { rolloutId: params.id });

/** `{"regionId"?: "eu-west"}`: the region's incident only; without it, every open incident of the rollout. */
export async function acknowledgeIncidentHandler({ request, params, ctx }: RestCall<{ id: string }>) {
  const { regionId } = await readJsonBody(request);
  return acknowledgeIncident(ctx, { rolloutId: params.id, ...(regionId !== undefined ? { regionId: regionId as string } : {}) });
}

export async function resolveIncidentHandler({ request, params, ctx }: RestCall<{ id: string }>) {
  const { regionId, reason } = await readJsonBody(request);
  return resolveIncident(ctx, { rolloutId: params.id, reason: reason as string, ...(regionId !== undefined ? { regionId: regionId as string } : {}) });
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
