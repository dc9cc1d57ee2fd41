/**
 * Every event Flightdeck writes to the append-only `events` table, engine and services alike: one
 * discriminated union on `type`, each with its typed `data`. Writers (the machine's `event(...)`, the store,
 * the services through `eventValues`) are checked against it, so a wrong key or a missing field does not
 * compile; readers (cards, metrics, the audit page, the live feed, the rollout page) narrow on `type`.
 *
 * Pure types and two small functions: no I/O, so the machine imports it. Stored rows keep the JSON they
 * always had; rows written before a field existed still read, through `readEvent` (every field may be absent).
 */
import type { Coverage } from "./coverage";
import type { ApprovalRecord, CauseItem, Colour, DeployVerification, GapKind, RegionPhase, Strategy } from "./types";
import type { Migration, RegionSchemaCheck } from "./schema-compat";

type StageRef = { stageIndex: number; percent: number };
type CoverageData = StageRef & Pick<Coverage, "expected" | "judged" | "needed" | "inconclusive" | "byGap">;
type Split = { blue: number; green: number };
/** Held as verified (`found` only), put back to the verified split (`restored`), or not readable (`unverified`: why). */
export type BalancerCheck = { found: Split; restored?: Split } | { unverified: string };

/** The data of every way a region's traffic goes back to the old colour (what a failed try repeats). */
export type BreachRollbackData = StageRef & { cause: CauseItem[]; source?: "load-balancer" };
export type ObservationRollbackData = StageRef & { cause: CauseItem[]; observation: true; source?: "load-balancer" };
export type ManualRollbackData = { actor: string; manual: true; stageIndex: number; percent: number | null };
export type EmergencyRollbackData = { actor: string; emergency: true };
export type CanaryAbortData = { actor: string; stageIndex: number };
export type RolledBackData = BreachRollbackData | ObservationRollbackData | ManualRollbackData | EmergencyRollbackData;
export type MoveBackData = RolledBackData | CanaryAbortData;
/** A try to move traffic back that failed; retried until verified. */
export type MoveBackFailedData = MoveBackData & { canaryPct: number; error: string; rollbackAttempts: number; nextRetryAt: number; failingSinceAt: number };

/**
 * One region of an emergency rollback of every region of a service: the region rollout whose traffic goes back,
 * from its canary (`inCanary`: the canary's share returns) or after success (back to the previous release).
 */
export type EmergencyRegion = {
  regionId: string;
  rolloutId: string;
  regionRolloutId: string;
  inCanary: boolean;
  canaryPct: number;
  /** The colour that gets 100 % back, and the release it serves (null: not recorded, before the first rollout). */
  colour: Colour;
  release: string | null;
  /** The release taken out of service. */
  version: string;
};
/** A region an emergency rollback left alone, and why (nothing to roll back, a rollback already under way). */
export type EmergencySkip = { regionId: string; reason: string };
/** How a region of an emergency rollback ended: back and verified, its move failing (retried until verified), or finished another way. */
export type EmergencyOutcome = EmergencyRegion & { outcome: "rolled_back" | "retrying" | "finished"; detail: string; tookMs: number | null };

/** `type` → `data` (undefined: the event carries none). */
export type EventDataMap = {
  // the engine: a region rollout
  "region.started": { attempt: number };
  "region.blocked": { upstream: string; upstreamPhase: RegionPhase };
  "region.observing": { upstream: string; until: number; delayMs: number };
  "region.observing_started": { until: number | null | undefined; delayMs: number };
  "region.observed": { breaches: number; inconclusive: number; until: number | null };
  "region.paused": { actor: string; reason: string | null; remainingMs: number | null };
  "region.resumed": { actor: string; pauseReason: string | null; deadlineAt: number | null };
  "region.promoted": { actor: string; stageIndex: number; percent: number | null; skippedMs: number; validation: boolean; reason: string | null };
  "region.abort_requested": { actor: string; canaryPct: number };
  "region.rollback_requested": { actor: string };
  "region.aborted": { actor: string } | CanaryAbortData;
  "region.retried": { actor: string; attempt: number; previousPhase: RegionPhase };
  "region.reopened": { upstream: string };
  "region.succeeded": { colour: Colour };
  "region.rolled_back": RolledBackData;
  /** The region holds for a freeze before its next step (`next`: what waits, e.g. "the 25 % stage"). */
  "region.freeze_held": { freeze: FreezeRef; next: string };
  "region.freeze_released": { heldMs: number };
  "gate.opened": { required: { functional: number; sre: number } };
  "gate.approved": { approvers: Array<Pick<ApprovalRecord, "reviewerId" | "kind">> };
  "gate.rejected": { actor: string; kind: ApprovalRecord["kind"]; comment: string | null };
  "approval.granted": ApprovalData;
  "approval.rejected": ApprovalData;
  "deploy.started": { colour: Colour; attempt: number };
  "deploy.succeeded": { colour: Colour; verified: DeployVerification | null };
  "deploy.failed": { colour: Colour; error: string; alert: true };
  "stage.started": StageRef & { durationMs: number };
  "stage.passed": StageRef;
  "stage.extended": CoverageData & { maxExtensionMs: number };
  "analysis.unjudged": CoverageData & { extendedMs: number; alert: true };
  "analysis.inconclusive": StageRef & { reasons: string[]; gaps: GapKind[]; inconclusive: number };
  "analysis.inconclusive_limit": StageRef & { inconclusive: number; alert: true };
  "analysis.environment_problem": StageRef & { cause: CauseItem[]; alert: true };
  /** `breaches` is absent on the breach that rolls back (region.rolled_back follows); `source` when the load balancer's counters caught it. */
  /** The stage is absent on a breach seen while a succeeded region is observed (outside any stage). */
  "analysis.breach": Partial<StageRef> & { cause: CauseItem[]; breaches?: number; observation?: true; source?: "load-balancer" };
  /** `balancer`: what the load balancer was found holding after a stage move failed (runner/traffic-check.ts). */
  "traffic.failed": (StageRef & { canaryPct: number; error: string; alert: true; balancer?: BalancerCheck }) | (MoveBackFailedData & { alert: true });
  "rollback.retry_failed": MoveBackFailedData;
  "traffic.reconciled": { found: Split; restored: Split };
  // the engine: a rollout
  "rollout.running": RolloutRegionsData;
  "rollout.succeeded": RolloutRegionsData;
  "rollout.failed": RolloutRegionsData;
  "rollout.aborted": RolloutRegionsData;
  // the services
  /** With the REST API's Idempotency-Key: the key and a fingerprint of the request, so a retry answers with this rollout. */
  "rollout.started": {
    artifactId: string;
    version: string;
    digest: string;
    strategy: Strategy;
    delayMinutes: number | null;
    plan: unknown;
    idempotencyKey?: string;
    request?: string;
  };
  "artifact.registered": { artifactId: string; version: string; digest: string; sourceRef: string | null; commitSha: string | null; provenance: unknown };
  "demo.fault_injected": { stagePercent: number; errorRatePct: number | null; latencyP95Ms: number | null };
  "demo.faults_cleared": { cleared: number };
  "token.created": { tokenId: string; scope: string; expiresAt: number };
  "token.revoked": { tokenId: string };
  "user.created": { userId: string; provider?: string };
  "user.roles_changed": { userId: string; before: readonly string[]; after: readonly string[] };
  "user.disabled": { userId: string; sessionsEnded: number };
  "user.enabled": { userId: string; sessionsEnded: number };
  "user.signed_in": { userId: string; provider: string; address: string | null };
  "user.signed_out": { userId: string; address: string | null };
  "user.sign_in_failed": { provider: string; reason: string; address: string | null; email?: string; login?: string; userId?: string };
  /** A person linked their Slack member id (server/services/slack-actions-link.ts): Slack card buttons act as them from now on. */
  "user.slack_linked": { userId: string; slackUserId: string; previousSlackUserId: string | null };
  /** A person removed their Slack link (Settings → Slack): presses from that Slack member act as nobody from now on. */
  "user.slack_unlinked": { userId: string; slackUserId: string };
  "notify.test_card_sent": { purpose: string | null; accepted: number; sent: number };
  // the emergency rollback of every region of a service: requested by a service, summarised by the engine once each region settled
  "service.rollback_requested": { batchId: string; actor: string; idempotencyKey: string | null; requested: EmergencyRegion[]; skipped: EmergencySkip[] };
  "service.rolled_back": { batchId: string; serviceId: string; actor: string; requestedAt: number; outcomes: EmergencyOutcome[]; skipped: EmergencySkip[] };
  // freezes: a person's stop-all, and a rollout started during a freeze
  "freeze.declared": { actor: string; freezeId: string; reason: string };
  "freeze.lifted": { actor: string; freezeId: string; reason: string; declaredAt: number };
  "rollout.break_glass": { actor: string; reason: string; freeze: FreezeRef };
  // the migration path (docs/policies.md#migration-path): an admin's start of a strategy not open yet, and a recorded rollback drill
  "rollout.strategy_override": { actor: string; reason: string; strategy: Strategy; refusal: string };
  "drill.recorded": { actor: string; source: "simulate"; strategy: Strategy; rolledBack: string[]; faults: string[] };
  // the schema-compatibility gate (docs/policies.md#schema-compatibility): its verdict at start, and an admin's override of a refusal
  "rollout.schema_checked": { outcome: "pass" | "overridden"; version: string; migrations: Migration[]; regions: RegionSchemaCheck[]; reason: string };
  "rollout.schema_override": { actor: string; reason: string; refusal: string };
  // quarantine: a release rolled back for a breach is refused everywhere until an sre lifts it (docs/policies.md#quarantine)
  "release.quarantined": QuarantineRef & { elsewhere: Array<{ regionId: string; rolloutId: string }> };
  /** To a rollout of the same release still running in another region: it may roll back, it need not. */
  "rollout.quarantine_notice": QuarantineRef & { quarantinedIn: string };
  "quarantine.lifted": QuarantineRef & { actor: string; reason: string };
  // the spec's support path (docs/notifications.md#escalation): an incident is a region rolled back for a breach or in an emergency
  "incident.acknowledged": IncidentRef & { actor: string };
  "incident.resolved": IncidentRef & { actor: string; reason: string };
  "escalation.ticket_opened": IncidentRef & { ticketKey: string | null; ticketUrl: string | null; foundExisting?: true };
  "escalation.paged": IncidentRef & { dedupKey: string };
  "escalation.page_resolved": IncidentRef & { dedupKey: string; why: string };
};

/** A quarantine as events record it: which release, why, and the rollback that caused it. */
type QuarantineRef = { quarantineId: string; artifactId: string; version: string; digest: string; causeText: string; rolledBackRolloutId: string };

/** The incident an escalation event is about: its id (PagerDuty's dedup_key) and the region rollback that opened it. */
type IncidentRef = { incidentId: string };

/** A freeze as an event records it (see ./freeze.ts). */
type FreezeRef = { kind: "window" | "stop-all"; id: string; reason: string; until: number | null };
/** `ahead`: given before the region reached its gate (pre-approval). */
type ApprovalData = { kind: ApprovalRecord["kind"]; decision: ApprovalRecord["decision"]; comment: string | null; environment: string; ahead?: boolean };
type RolloutRegionsData = { regions: Record<string, RegionPhase> };

export type EventType = keyof EventDataMap;
/** Fields any event may carry besides its own: the deploy's log travels with the first event of its transition. */
type Extra = { log?: string[] };

type KeysOf<T> = T extends unknown ? keyof T : never;
type AnyDataKey = { [K in EventType]: KeysOf<EventDataMap[K]> }[EventType];
/**
 * An event's data, with every key other events use present as `?: undefined`: a reader may ask any event for
 * `data.actor` (a string or undefined) before narrowing, and a writer cannot slip another event's field in.
 */
type DataOf<K extends EventType> = Closed<EventDataMap[K] & Extra>;
type Closed<T> = T extends unknown ? T & { [F in Exclude<AnyDataKey, keyof T>]?: undefined } : never;

/** One event as written: its type, its words, its data. */
export type EventDraft = { [K in EventType]: { type: K; message: string; data: DataOf<K> } }[EventType];
export type EventOf<K extends EventType> = Extract<EventDraft, { type: K }>;

/** One event's type and data as read back from a row: each field possibly absent (rows older than the field). */
export type StoredEvent = { [K in EventType]: { type: K; data: Partial<DataOf<K>> } }[EventType];

const TYPES: ReadonlySet<string> = new Set<EventType>([
  "region.started",
  "region.blocked",
  "region.observing",
  "region.observing_started",
  "region.observed",
  "region.paused",
  "region.resumed",
  "region.promoted",
  "region.abort_requested",
  "region.rollback_requested",
  "region.aborted",
  "region.retried",
  "region.reopened",
  "region.succeeded",
  "region.rolled_back",
  "region.freeze_held",
  "region.freeze_released",
  "gate.opened",
  "gate.approved",
  "gate.rejected",
  "approval.granted",
  "approval.rejected",
  "deploy.started",
  "deploy.succeeded",
  "deploy.failed",
  "stage.started",
  "stage.passed",
  "stage.extended",
  "analysis.unjudged",
  "analysis.inconclusive",
  "analysis.inconclusive_limit",
  "analysis.environment_problem",
  "analysis.breach",
  "traffic.failed",
  "rollback.retry_failed",
  "traffic.reconciled",
  "rollout.running",
  "rollout.succeeded",
  "rollout.failed",
  "rollout.aborted",
  "rollout.started",
  "artifact.registered",
  "demo.fault_injected",
  "demo.faults_cleared",
  "token.created",
  "token.revoked",
  "user.created",
  "user.roles_changed",
  "user.disabled",
  "user.enabled",
  "user.signed_in",
  "user.signed_out",
  "user.sign_in_failed",
  "user.slack_linked",
  "user.slack_unlinked",
  "notify.test_card_sent",
  "service.rollback_requested",
  "service.rolled_back",
  "freeze.declared",
  "freeze.lifted",
  "rollout.break_glass",
  "rollout.strategy_override",
  "drill.recorded",
  "rollout.schema_checked",
  "rollout.schema_override",
  "release.quarantined",
  "rollout.quarantine_notice",
  "quarantine.lifted",
  "incident.acknowledged",
  "incident.resolved",
  "escalation.ticket_opened",
  "escalation.paged",
  "escalation.page_resolved",
]);

export const isEventType = (type: string): type is EventType => TYPES.has(type);

/**
 * The lenient reader at the store boundary: a row's type and JSON data as a `StoredEvent` to narrow on, or
 * null for a type this version does not know (an older or newer Flightdeck wrote it). Missing data reads as {}.
 */
export function readEvent(row: { type: string; data: unknown }): StoredEvent | null {
  if (!isEventType(row.type)) return null;
  const data = row.data !== null && typeof row.data === "object" && !Array.isArray(row.data) ? row.data : {};
  return { type: row.type, data } as StoredEvent;
}

/** Who an event names as its actor, when it names one (a person's command, a reviewer). */
export function eventActor(e: { data?: unknown }): string | null {
  const actor = e.data !== null && typeof e.data === "object" ? (e.data as { actor?: unknown }).actor : undefined;
  return typeof actor === "string" ? actor : null;
}

export type RollbackTrigger = "breach" | "manual" | "emergency";

/** What rolled a region back: a breach (the canary's or its observation's), a person during the canary, or a person's emergency rollback. */
export function rollbackTrigger(data: Partial<RolledBackData>): RollbackTrigger {
  if ("emergency" in data && data.emergency === true) return "emergency";
  if ("manual" in data && data.manual === true) return "manual";
  return "breach";
}

/** The columns of an event row besides its type, words and data. */
type EventRowFields = {
  at: number;
  actor: string;
  serviceId?: string | null;
  rolloutId?: string | null;
  regionId?: string | null;
  correlationId?: string | null;
};

/** A service's event row, checked against the union: `tx.insert(events).values(eventValues({ ... }))`. */
export function eventValues(row: EventDraft & EventRowFields): EventDraft & EventRowFields {
  return row;
}
