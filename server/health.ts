/**
 * What GET /api/health reports: the database answers, and how recently each engine runner (replica) beat. The engine may
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

/** One Flightdeck process that runs the engine, as its heartbeat row and the leases it holds say. */
export type ReplicaHealth = {
  runnerId: string;
  host: string;
  pid: number;
  status: "ok" | "stale";
  lastHeartbeatAgoMs: number;
  /** Rollouts whose lease it holds now. */
  leases: number;
};

export type EngineHealth = {
  status: "ok" | "stale" | "not_running";
  lastHeartbeatAgoMs: number | null;
  runnerId?: string;
  host?: string;
  pid?: number;
  /** Every replica that beat in the last hour (a crashed one shows stale until then), the most recent first. */
  replicas?: ReplicaHealth[];
};

/** How long a replica that stopped beating stays in the list. */
const REPLICAS_LISTED_FOR_MS = 3_600_000;

/** Throws when the database does not answer (any read will do: the runners table is small). */
export async function checkDatabase(db: Store): Promise<void> {
  await db.runners.latest();
}

/** The engine's state from the most recent heartbeat (`status`, `runnerId`…: the contract before replicas), and every replica. */
export async function readEngineHealth(db: Store, now: number): Promise<EngineHealth> {
  const latest = await db.runners.latest();
  if (!latest) return { status: "not_running", lastHeartbeatAgoMs: null };
  const recent = await db.runners.aliveSince(now - REPLICAS_LISTED_FOR_MS);
  const leases = await db.leases.heldCountByOwner(now);
  const ago = (heartbeatAt: number) => Math.max(0, now - heartbeatAt);
  const status = (heartbeatAt: number) => (ago(heartbeatAt) > ENGINE_STALE_AFTER_MS ? "stale" : "ok");
  const replicas = recent
    .sort((a, b) => b.heartbeatAt - a.heartbeatAt)
    .map((r): ReplicaHealth => ({
      runnerId: r.id,
      host: r.host,
      pid: r.pid,
      status: status(r.heartbeatAt),
      lastHeartbeatAgoMs: ago(r.heartbeatAt),
      leases: leases.get(r.id) ?? 0,
    }));
  return { status: status(latest.heartbeatAt), lastHeartbeatAgoMs: ago(latest.heartbeatAt), runnerId: latest.id, host: latest.host, pid: latest.pid, replicas };
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
