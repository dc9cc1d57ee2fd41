/**
 * What every verb `verb(ctx, input)` is given: the store, the fleet config, who is acting, and the clock (the
 * real one; tests pass a fixed or virtual one). A verb reads the clock once, at its start, and uses that time.
 */
import type { z } from "zod";
import type { Store } from "@/db/client";
import { SYSTEM, type Actor } from "@/server/actor";
import type { FleetConfig } from "@/server/config/schema";
import { fixedClock, realClock, type TimeSource } from "@/server/engine/clock";
import { eventConsumers } from "@/server/engine/outbox/consumers";
import type { EventConsumers } from "@/server/engine/store/event-consumers";
import { invalidInput, problemsFromIssues } from "./errors";

export type ServiceContext = {
  db: Store;
  config: FleetConfig;
  actor: Actor;
  clock: TimeSource;
  /** What hears of the events a verb saves (outbox rows, counters); default: the real ones for `config`. */
  events?: EventConsumers;
};

/**
 * The context of what the server does before anyone is signed in (sign-in, sessions, the bootstrap admin, demo
 * users): the system actor, and the config the caller loaded (next-auth's callbacks and start-up read theirs).
 */
export function systemContext(db: Store, config: FleetConfig, clock: TimeSource = realClock): ServiceContext {
  return { db, config, actor: SYSTEM, clock };
}

/**
 * The context of a step a verb runs inside its own transaction (a session row, a role change): the transaction's
 * store, and the time the verb already read, so every row the verb writes carries that one time.
 */
export function withinTransaction(ctx: ServiceContext, tx: Store, now: number): ServiceContext {
  return { ...ctx, db: tx, clock: fixedClock(now) };
}

/** The event consumers a verb hands the engine's store: the context's own, else the real ones for its config. */
export function eventConsumersOf(ctx: Pick<ServiceContext, "config" | "events">): EventConsumers {
  return ctx.events ?? eventConsumers(ctx.config);
}

/** Parse a verb's input; a bad one is a 400 whose message names each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalidInput(problemsFromIssues(result.error.issues, "input"));
}
