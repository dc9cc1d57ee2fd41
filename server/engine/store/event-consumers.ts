/**
 * What consumes the events a save writes, handed to the store by whoever builds the runner or the service
 * context (server/engine/outbox/consumers.ts builds the real one from the fleet config): the store never
 * reaches for a global config, a card renderer or a counter itself.
 */
import type { Store } from "@/db/client";
import type { EventDraft, Verdict } from "@/server/engine/machine/types";

/** An event row as written (its id is the outbox rows' key and the live feed's cursor). */
export type WrittenEvent = {
  id: number;
  at: number;
  type: string;
  message: string;
  actor: string;
  rolloutId: string | null;
  regionId: string | null;
  correlationId: string | null;
  data: unknown;
};

export type EventConsumers = {
  /** In the transaction that wrote the events: the rows they call for (outbox: cards, Pushgateway, Grafana). */
  enqueue(tx: Store, events: WrittenEvent[]): Promise<void>;
  /** What the events count for (the process's Prometheus counters); after the commit for a saved transition. */
  count(regionId: string, events: readonly EventDraft[], verdict?: Verdict): void;
};

/** Consumes nothing: for a save whose events nobody is to hear of (none today outside tests). */
export const NO_EVENT_CONSUMERS: EventConsumers = { enqueue: async () => undefined, count: () => undefined };
