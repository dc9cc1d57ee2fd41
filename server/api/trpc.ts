/**
 * tRPC in three parts: the context (db, the signed-in user, headers), the init (superjson, an error formatter
 * that turns bad input into `{ path, message }` problems), and procedures by permission. Services throw
 * ServiceError; they are mapped to tRPC codes by the one table (ERROR_KINDS in services/errors.ts).
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { getDb, type Store } from "@/db/client";
import { readSession, resolveSessionUser, type SessionUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { systemContext } from "@/server/services/context";
import { can, type Permission } from "@/server/auth/roles";
import type { Actor } from "@/server/actor";
import { ERROR_KINDS, problemsFromIssues, problemsMessage, problemsOf, ServiceError, UNKNOWN_ERROR_MESSAGE } from "@/server/services/errors";
import { logger } from "@/server/log";

export type TRPCContext = {
  db: Store;
  user: SessionUser | null;
  headers: Headers;
  /** The session the request signed in with: a subscription checks it again as it runs (`recheckSession`). */
  sessionId?: string | null;
};

export async function createTRPCContext(opts: { headers: Headers; user?: SessionUser | null; sessionId?: string | null }): Promise<TRPCContext> {
  if (opts.user !== undefined) return { db: getDb(), user: opts.user, headers: opts.headers, sessionId: opts.sessionId ?? null };
  const session = await readSession();
  return { db: getDb(), user: session.user, headers: opts.headers, sessionId: session.sid };
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  // Keep quiet live connections open through proxies, and reconnect (resuming from the last event id) if one dies.
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 20_000 } },
  errorFormatter({ shape, error }) {
    // Invalid input reads as "field: what is wrong" rather than zod's JSON, with the same problems as REST and the webhook.
    const issues =
      error.cause instanceof ZodError
        ? problemsFromIssues(error.cause.issues, "input")
        : error.cause instanceof ServiceError
          ? (problemsOf(error.cause) ?? null)
          : null;
    const message = error.cause instanceof ZodError && issues ? problemsMessage(issues) : shape.message;
    return {
      ...shape,
      message,
      data: {
        ...shape.data,
        issues,
        zodError: error.cause instanceof ZodError ? error.cause.flatten() : null,
        details: error.cause instanceof ServiceError ? (error.cause.details ?? null) : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** Service errors become tRPC codes; anything unknown is logged and answered as a plain internal error. */
const mapErrors = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof ServiceError) {
      throw new TRPCError({ code: ERROR_KINDS[cause.code].trpc, message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      logger.error({ err: cause ?? result.error, path }, "unexpected error in tRPC procedure");
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: UNKNOWN_ERROR_MESSAGE });
    }
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

/** A signed-in user, as an Actor for services. 401 otherwise. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first: your session is missing or has expired." });
  const actor: Actor = { kind: "user", id: ctx.user.id, name: ctx.user.name, roles: ctx.user.roles };
  return next({ ctx: { ...ctx, user: ctx.user, actor } });
});

/** A signed-in user holding a role with this permission. 403 otherwise, naming what is missing. */
export function permittedProcedure(permission: Permission) {
  return protectedProcedure.use(({ ctx, next }) => {
    if (!can(ctx.user.roles, permission)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `Your role (${ctx.user.roles.join(", ") || "none"}) does not allow ${permission}.` });
    }
    return next();
  });
}

/**
 * For a subscription, which outlives the request that opened it: the session it began with must still hold
 * `permission` (not revoked or expired, the user not disabled, the role not taken away). Throws UNAUTHORIZED
 * otherwise, which ends the stream; the browser's reconnect then meets the sign-in check.
 */
export async function recheckSession(ctx: { db: Store; sessionId?: string | null; user: SessionUser }, permission: Permission): Promise<void> {
  if (!ctx.sessionId) return;
  const user = await resolveSessionUser(systemContext(ctx.db, getConfig().config), ctx.sessionId);
  if (user?.id === ctx.user.id && can(user.roles, permission)) return;
  throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended or no longer allows this: sign in again to follow live updates." });
}
