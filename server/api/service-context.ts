/**
 * The one place a request's service context is built (tRPC routers, the REST API): the store, the process's
 * fleet config, who acts, and the wall clock. Tests build contexts directly with a fixed `now`.
 */
import type { Store } from "@/db/client";
import type { Actor } from "@/server/actor";
import { getConfig } from "@/server/config";
import type { ServiceContext } from "@/server/services/context";

export function serviceContextOf(ctx: { db: Store; actor: Actor }, now: number = Date.now()): ServiceContext {
  return { db: ctx.db, config: getConfig().config, actor: ctx.actor, now };
}
