/**
 * The one place a request's service context is built (tRPC routers, the REST API): the store, the process's
 * fleet config, who acts, and the clock (the real one). Tests build contexts directly with a fixed or virtual clock.
 */
import type { Store } from "@/db/client";
import type { Actor } from "@/server/actor";
import { getConfig } from "@/server/config";
import { realClock, type TimeSource } from "@/server/engine/clock";
import type { ServiceContext } from "@/server/services/context";

export function serviceContextOf(ctx: { db: Store; actor: Actor }, clock: TimeSource = realClock): ServiceContext {
  return { db: ctx.db, config: getConfig().config, actor: ctx.actor, clock };
}
