/**
 * What a card shows, independent of where it goes: Slack (Block Kit) and Teams (Adaptive Cards) render the
 * same view, so both channels say the same thing. Built from an event and the rows around it; no secrets.
 */
import type { Migration } from "@/server/engine/machine/schema-compat";
import type { CauseItem, Colour } from "@/server/engine/machine/types";

export type CardKind =
  | "incident"
  | "emergency-rollback"
  | "rollout-started"
  | "approval-needed"
  | "region-succeeded"
  | "rollout-finished"
  | "analysis-inconclusive"
  | "provider-failure"
  /** A release quarantined after a breach elsewhere, to a rollout still running it: it may roll back. */
  | "quarantine";

export type NotificationLinks = {
  rollout?: string;
  /** The regions overview (a card about every region of a service). */
  overview?: string;
  approvals?: string;
  dashboard?: string;
  logs?: string;
  /** The matching section of docs/debugging-guide.md. */
  guide?: string;
};

export type RegionSummary = { name: string; outcome: string; durationMs: number | null };

/**
 * An approval card's release manifest (docs/policies.md#schema-compatibility), judged as the approval page judges
 * it: each migration's id and class (never its description: the card carries no free text of the manifest), and
 * for contract ones what the region served when the rollout started and whether it tolerates them.
 */
export type CardSchema = {
  migrations: Array<Pick<Migration, "id" | "class">>;
  /** The release live in the region at start (null: nothing was live). */
  liveVersion: string | null;
  /** That release declares readyFor this one (or nothing was live, or it is this release): the contract migrations are safe. */
  tolerated: boolean;
  /** An admin started the release although a live release did not tolerate it (schema override). */
  overridden: boolean;
};

export type NotificationView = {
  kind: CardKind;
  /** Absent on a card about a whole service (an emergency rollback of every region). */
  rolloutId?: string;
  correlationId: string;
  service: string;
  version: string;
  /** The region the card is about (absent on rollout-wide cards). */
  regionName?: string;
  /** Its id, for the card's buttons (Slack app: docs/notifications.md). */
  regionId?: string;
  stagePercent?: number | null;
  /** The colour that keeps or gets the traffic back, and the one the release went to. */
  oldColour?: Colour;
  newColour?: Colour;
  /** Only metrics that truly breached (the engine's cause analysis). */
  cause?: CauseItem[];
  /** The breaching (or latest) canary sample. */
  errorRatePct?: number | null;
  latencyP95Ms?: number | null;
  /** Incident: how long from the breaching sample to traffic verified back on the old colour. */
  rollbackTookMs?: number | null;
  /** Incident raised by a person (emergency rollback) rather than by a breach. */
  triggeredBy?: string | null;
  /** Incident cards: the on-call to mention, from the config's escalation.oncall (docs/notifications.md#escalation). */
  oncall?: { slackUserGroupId: string; handle: string };
  /** The engine's own sentence for the event. */
  detail?: string;
  /** Approval needed: the release's migrations; absent when the release carries no manifest. */
  schema?: CardSchema;
  /** Provider failure: the provider's error. */
  error?: string | null;
  /** Rollout started / finished. */
  strategy?: string;
  outcome?: "succeeded" | "failed" | "aborted";
  durationMs?: number | null;
  /** Rollout finished: each region's outcome; emergency rollback: each region's, the ones left alone last. */
  regions?: RegionSummary[];
  links: NotificationLinks;
};
