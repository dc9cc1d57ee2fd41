/**
 * For the user-administration tests: a service context on a test database, with the fleet config in effect
 * (getConfig) and, when a test says so, demo mode forced on or off; `systemCtxOf` is the same for the system
 * actor (sign-in, sessions, bootstrap and demo users act before anyone is signed in).
 */
import type { Store } from "@/db/client";
import { SYSTEM, type Actor } from "@/server/actor";
import { getConfig } from "@/server/config";
import type { ServiceContext } from "./context";
import { fixedClock } from "@/server/engine/clock";

export function ctxOf(db: Store, actor: Actor, now: number, demo?: boolean): ServiceContext {
  const { config } = getConfig();
  return { db, config: demo === undefined ? config : { ...config, demo }, actor, clock: fixedClock(now) };
}

export function systemCtxOf(db: Store, now: number, demo?: boolean): ServiceContext {
  return ctxOf(db, SYSTEM, now, demo);
}
