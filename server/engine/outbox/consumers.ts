/**
 * The real consumers of engine and service events, built from the fleet config by whoever builds the runner
 * or a service context: outbox rows (cards, Pushgateway pushes, Grafana annotations) in the writing
 * transaction, and the process's Prometheus counters.
 */
import type { FleetConfig } from "@/server/config/schema";
import type { EventConsumers } from "@/server/engine/store/event-consumers";
import { recordEngineEvents } from "@/server/metrics";
import { enqueueForEvents } from "./enqueue";

export function eventConsumers(config: FleetConfig): EventConsumers {
  return { enqueue: (tx, events) => enqueueForEvents(tx, config, events), count: recordEngineEvents };
}
