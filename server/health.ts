/**
 * What GET /api/health reports: the database answers, and how recently an engine runner beat. The engine may
 * run apart (`npm run worker`), so a missing or stale runner is reported, not treated as the web app being down.
 */
import type { Store } from "@/db/client";
import { can, scopeAllows } from "@/server/auth/roles";
import { getSessionUser } from "@/server/auth/session";
import { authenticateToken } from "@/server/services/api-tokens";
import { systemContext, type ServiceContext } from "@/server/services/context";

/** What the health check reads: the process's database and config (the route passes `processContext()`), and the clock. */
export type HealthContext = Pick<ServiceContext, "db" | "config" | "clock">;

/** A runner beats every few seconds; three missed beats is stale. */
export const ENGINE_STALE_AFTER_MS = 15_000;

export type EngineHealth = {
  status: "ok" | "stale" | "not_running";
  lastHeartbeatAgoMs: number | null;
  runnerId?: string;
  host?: string;
  pid?: number;
};

/** Throws when the database does not answer (any read will do: the runners table is small). */
export async function checkDatabase(db: Store): Promise<void> {
  await db.runners.latest();
}

export async function readEngineHealth(db: Store, now: number): Promise<EngineHealth> {
  const latest = await db.runners.latest();
  if (!latest) return { status: "not_running", lastHeartbeatAgoMs: null };
  const ago = Math.max(0, now - latest.heartbeatAt);
  return {
    status: ago > ENGINE_STALE_AFTER_MS ? "stale" : "ok",
    lastHeartbeatAgoMs: ago,
    runnerId: latest.id,
    host: latest.host,
    pid: latest.pid,
  };
}

/** The whole health answer for the route: the database must answer; the engine's state is reported. */
export async function readHealth(ctx: HealthContext): Promise<{ database: "ok"; engine: EngineHealth }> {
  const now = ctx.clock.now();
  await checkDatabase(ctx.db);
  return { database: "ok", engine: await readEngineHealth(ctx.db, now) };
}

/** Whether a request may read the details: a token that may read, or a signed-in user. An unknown or expired token just gets the short answer. */
export async function maySeeHealthDetails(ctx: HealthContext, request: Request): Promise<boolean> {
  const authorization = request.headers.get("authorization");
  try {
    if (authorization) {
      const { actor, scope } = await authenticateToken(systemContext(ctx.db, ctx.config, ctx.clock), authorization);
      return scopeAllows(scope, "read") && can(actor.roles, "read");
    }
    const user = await getSessionUser();
    return user !== null && can(user.roles, "read");
  } catch {
    return false;
  }
}
