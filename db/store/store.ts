/**
 * The store: every table behind a repository of async methods, and one `transaction(fn)` that runs `fn` with a
 * store bound to the transaction. Services, the engine, the CLI and the pages speak only to this; the SQLite
 * implementation (`db/sqlite`, the embedded default) is chosen by `db/client.ts`. Repositories are written
 * once in portable drizzle (awaited queries, no driver-only calls) so another SQL engine can sit behind them.
 */
import type { SqliteQuery as Query } from "../sqlite/driver";
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

export function repositories(q: Query) {
  return {
    services: serviceRepository(q),
    regions: regionRepository(q),
    artifacts: artifactRepository(q),
    rollouts: rolloutRepository(q),
    regionRollouts: regionRolloutRepository(q),
    stages: stageRepository(q),
    steps: stepRepository(q),
    samples: sampleRepository(q),
    events: eventRepository(q),
    approvals: approvalRepository(q),
    outbox: outboxRepository(q),
    leases: leaseRepository(q),
    runners: runnerRepository(q),
    webhookDeliveries: webhookDeliveryRepository(q),
    apiTokens: apiTokenRepository(q),
    users: userRepository(q),
    sessions: sessionRepository(q),
    signInFailures: signInFailureRepository(q),
    demoFaults: demoFaultRepository(q),
  };
}

export type Repositories = ReturnType<typeof repositories>;

export type Store = Repositories & {
  readonly dialect: "sqlite" | "postgres";
  /** Run `fn` in one transaction: all its writes commit together or none do. Use only `tx` inside it. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};
