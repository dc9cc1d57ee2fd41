/**
 * The store: every table behind a repository of async methods, and one `transaction(fn)` that runs `fn` with a
 * store bound to the transaction. Services, the engine, the CLI and the pages speak only to this; the SQLite
 * implementation (`db/sqlite`, the embedded default) or the PostgreSQL one (`db/pg`, for replicas) is chosen by
 * `db/client.ts`. Repositories are written once in portable drizzle (awaited queries, no driver-only calls) and
 * run on both.
 */
import type { samples } from "../schema";
import type { Query, Tables } from "./query";
import type { LeaseClaim } from "./repositories/leases";
import type { RegionRolloutRow } from "./repositories/region-rollouts";
import { serviceRepository } from "./repositories/services";
import { regionRepository } from "./repositories/regions";
import { artifactRepository } from "./repositories/artifacts";
import { rolloutRepository } from "./repositories/rollouts";
import { regionRolloutRepository } from "./repositories/region-rollouts";
import { stageRepository } from "./repositories/stages";
import { stepRepository } from "./repositories/steps";
import { sampleRepository } from "./repositories/samples";
import { eventRepository } from "./repositories/events";
import { approvalRepository } from "./repositories/approvals";
import { outboxRepository } from "./repositories/outbox";
import { leaseRepository } from "./repositories/leases";
import { runnerRepository } from "./repositories/runners";
import { webhookDeliveryRepository } from "./repositories/webhook-deliveries";
import { apiTokenRepository } from "./repositories/api-tokens";
import { userRepository } from "./repositories/users";
import { sessionRepository } from "./repositories/sessions";
import { signInFailureRepository } from "./repositories/sign-in-failures";
import { demoFaultRepository } from "./repositories/demo-faults";
import { rateBucketRepository } from "./repositories/rate-buckets";
import { freezeRepository } from "./repositories/freezes";
import { slackLinkRepository } from "./repositories/slack-links";
import { quarantineRepository } from "./repositories/quarantines";

/** Every repository on one handle: `t` is the handle's own tables (db/schema on SQLite, their translation on PostgreSQL). */
export function repositories(q: Query, t: Tables) {
  return {
    services: serviceRepository(q, t),
    regions: regionRepository(q, t),
    artifacts: artifactRepository(q, t),
    rollouts: rolloutRepository(q, t),
    regionRollouts: regionRolloutRepository(q, t),
    stages: stageRepository(q, t),
    steps: stepRepository(q, t),
    samples: sampleRepository(q, t),
    events: eventRepository(q, t),
    approvals: approvalRepository(q, t),
    outbox: outboxRepository(q, t),
    leases: leaseRepository(q, t),
    runners: runnerRepository(q, t),
    webhookDeliveries: webhookDeliveryRepository(q, t),
    apiTokens: apiTokenRepository(q, t),
    users: userRepository(q, t),
    sessions: sessionRepository(q, t),
    signInFailures: signInFailureRepository(q, t),
    demoFaults: demoFaultRepository(q, t),
    rateBuckets: rateBucketRepository(q, t),
    freezes: freezeRepository(q, t),
    slackLinks: slackLinkRepository(q, t),
    quarantines: quarantineRepository(q, t),
  };
}

export type Repositories = ReturnType<typeof repositories>;

export type Store = Repositories & {
  readonly dialect: "sqlite" | "postgres";
  /**
   * Hears of events and samples committed (on PostgreSQL by any replica, through LISTEN/NOTIFY; on SQLite by
   * this process), so a live page reads the table at once instead of polling it. A signal carries nothing:
   * readers read from their own cursor, and a missed signal only delays them to their next look.
   */
  readonly live: LiveSignal;
  /**
   * Inside a transaction: wait until no other transaction holds `topic`, then hold it until this one ends. For
   * a check-then-write that a row's version cannot guard (no last admin removed by two admins at once, no sign-in
   * attempt past the throttle): SQLite runs one writer at a time already; PostgreSQL takes an advisory lock.
   */
  exclusive(topic: string): Promise<void>;
  /** Run `fn` in one transaction: all its writes commit together or none do. Use only `tx` inside it. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * A runner's save of a pass that only took a sample, all or nothing: the lease confirmed (its fencing token), the
   * region rollout saved `WHERE version = expected`, and the samples written. PostgreSQL sends it as one statement
   * (db/pg/sampled-save.ts) rather than a transaction of five round trips; SQLite runs `saveSampledIn`.
   */
  saveSampled(save: SampledSave): Promise<SampledSaveResult>;
  close(): Promise<void>;
};

/** A runner's quiet save: what `Store.saveSampled` writes. */
export type SampledSave = {
  /** The region rollout as decided: every column a decision may change is written. */
  next: RegionRolloutRow;
  expectedVersion: number;
  /** The runner's lease: confirmed in the same write, else nothing is written. */
  lease: LeaseClaim;
  /** The sample taken and the baseline it was compared with (none when the pass judged nothing). */
  samples: Array<typeof samples.$inferInsert>;
};

/** Not fenced: the lease is another's now and nothing was written. Fenced: the saved row, or null when the row changed. */
export type SampledSaveResult = { fenced: false } | { fenced: true; saved: RegionRolloutRow | null };

/** `saveSampled` as its three statements, on a transaction's handle (the caller's, or one opened for it). */
export async function saveSampledIn(tx: Store, save: SampledSave): Promise<SampledSaveResult> {
  if (!(await tx.leases.confirm(save.lease))) return { fenced: false };
  const saved = await tx.regionRollouts.saveVersioned(save.next, save.expectedVersion);
  if (saved && save.samples.length > 0) await tx.samples.insert(save.samples[0], save.samples[1]);
  return { fenced: true, saved };
}

export type LiveSignal = {
  /** `listener` is called after each commit that added events or samples; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
};

/** Listeners of one store, called outside the caller's turn or transaction (a listener's error is not the writer's). */
export function liveListeners(): LiveSignal & { emit(): void; readonly size: number } {
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit() {
      if (listeners.size > 0) setImmediate(() => listeners.forEach((listener) => listener()));
    },
    get size() {
      return listeners.size;
    },
  };
}

/** What `exclusive` outside a transaction throws: the topic would be let go at once. */
export const EXCLUSIVE_OUTSIDE = "exclusive(topic) holds the topic until the transaction ends: call it on a transaction's handle (tx)";

/** Thrown by both stores when a transaction's function reaches for the outer store instead of its `tx`. */
export const MISUSE = "the store was used inside a transaction: use the transaction's own handle (tx), not the outer store";
