/**
 * The words of every card, shared by the Slack and Teams builders: a title, facts (label: value), links and a
 * one-line summary for notifications and previews. Pure; numbers read as the spec's card writes them
 * ("1.2%", "420ms").
 */
import { formatDuration, formatMeasure as formatMeasureOnce, formatNumber, formatPValue as pWords } from "@/lib/format";
import type { CauseItem } from "@/server/engine/machine/types";
import type { CardKind, CardSchema, NotificationView } from "./notify-types";

export type Fact = { label: string; value: string };
export type CardLink = { label: string; url: string };
export type CardContent = { title: string; facts: Fact[]; links: CardLink[]; summary: string; correlationId: string };

const TITLES: Record<CardKind, string> = {
  incident: "🚨 Incident Alert",
  "emergency-rollback": "🚨 Emergency rollback of every region",
  "rollout-started": "🚀 Rollout started",
  "approval-needed": "✋ Approval needed",
  "region-succeeded": "✅ Region succeeded",
  "rollout-finished": "🏁 Rollout finished",
  "analysis-inconclusive": "⚠️ Analysis inconclusive: stage on hold",
  "provider-failure": "❌ Provider failure",
  quarantine: "🔒 Release quarantined elsewhere",
};

const METRIC_WORDS: Record<CauseItem["metric"], string> = {
  error_rate: "Error rate",
  latency_p95: "Latency P95",
  cpu: "CPU",
  memory: "Memory",
  health: "Health status",
};

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "1.2%", "420ms": the spec's card form of lib/format.ts's measures (two significant digits, no space). */
export function formatMeasure(value: number, unit: CauseItem["unit"]): string {
  return formatMeasureOnce(value, unit, true);
}

/**
 * "Error rate 1.2% > 0.8% threshold", "Health status 503, expected 200", with the evidence of the test when it
 * was more than the observed value: "Error rate 80% > 1% threshold (95% lower bound 34.26%, 4 errors in 5
 * requests)", "Error rate 0.9%, 0.8 points above the old colour's 0.1% (more than 0.5 allowed; p = 0.017)".
 */
export function describeCauseItem(item: CauseItem): string {
  const label = METRIC_WORDS[item.metric];
  if (item.unit === "status") return `${label} ${item.observed}, expected ${item.threshold}`;
  const t = item.test;
  const base = formatMeasure(item.baseline ?? 0, item.unit);
  if (t?.kind === "baseline" && t.test === "two-proportion")
    return `${label} ${formatMeasure(item.observed, "%")}, ${formatNumber(t.effect)} points above the old colour's ${base} (more than ${formatNumber(t.margin)} allowed; ${pWords(t.pValue)})`;
  if (t?.kind === "baseline")
    return `${label} median ${formatMeasure(item.observed, "ms")}, ${formatNumber(t.effect)}% above the old colour's ${base} (more than ${formatNumber(t.margin)}% allowed; Mann–Whitney ${pWords(t.pValue)})`;
  const sign = (item.metric === "cpu" || item.metric === "memory") && item.observed === item.threshold ? "≥" : ">";
  const evidence = [
    t?.kind === "bound"
      ? `${formatNumber(t.confidence * 100)}% lower bound ${formatMeasure(t.lowerPct, "%")}, ${t.errors} errors in ${t.requests} requests`
      : null,
    item.versus
      ? `${formatNumber(item.versus.effect)}${item.versus.test === "two-proportion" ? " points" : "%"} above the old colour, ${pWords(item.versus.pValue)}`
      : null,
  ].filter(Boolean);
  return `${label} ${formatMeasure(item.observed, item.unit)} ${sign} ${formatMeasure(item.threshold, item.unit)} threshold${evidence.length > 0 ? ` (${evidence.join("; ")})` : ""}`;
}

/** Every metric that breached; then, when the old colour breaches too, a note that the release may not be the cause. */
export function describeCauseLine(cause: CauseItem[], oldColour: string | undefined): string {
  if (cause.length === 0) return "Threshold breach (no cause recorded)";
  const same = cause.filter((c) => c.baselineAlsoBreaches && c.baseline !== null);
  const note =
    same.length > 0
      ? `. ${capital(oldColour ?? "the old colour")} shows the same (${same.map((c) => `${METRIC_WORDS[c.metric]} ${formatMeasure(c.baseline as number, c.unit)}`).join(", ")}): the release may not be the cause`
      : "";
  return cause.map(describeCauseItem).join("; ") + note;
}

/** The spec's line "Error Rate: 1.2% | Latency P95: 420ms", as a fact labelled "Error Rate". */
function measures(view: NotificationView): Fact | null {
  if (view.errorRatePct == null && view.latencyP95Ms == null) return null;
  const rate = view.errorRatePct == null ? "no data" : formatMeasure(view.errorRatePct, "%");
  const p95 = view.latencyP95Ms == null ? "no data" : formatMeasure(view.latencyP95Ms, "ms");
  return { label: "Error Rate", value: `${rate} | Latency P95: ${p95}` };
}

const stageLine = (view: NotificationView) => (view.stagePercent == null ? null : `Canary rollout at ${view.stagePercent}%`);
const release = (view: NotificationView) => `${view.service} ${view.version}`;

function facts(view: NotificationView): Array<Fact | null> {
  const region = view.regionName ? { label: "Region", value: view.regionName } : null;
  const stage = stageLine(view);
  const atStage = stage ? { label: "Stage", value: stage } : null;
  const errorAndLatency = measures(view);
  switch (view.kind) {
    case "incident": {
      const to = capital(view.oldColour ?? "the old colour");
      // Raised by a person: during the canary (the view keeps its stage) or an emergency rollback after success.
      const emergency = view.stagePercent == null;
      const byPerson = view.triggeredBy ? `Manual ${emergency ? "emergency rollback" : "rollback during the canary"} by ${view.triggeredBy}` : null;
      const impact = view.triggeredBy
        ? `${emergency ? "Emergency rollback" : "Rollback"} by ${view.triggeredBy}, traffic routed to ${to}`
        : `Rollback triggered, traffic routed to ${to}`;
      const status = view.rollbackTookMs == null ? "✅ Rollback done" : `✅ Rollback done in ${formatDuration(view.rollbackTookMs)}`;
      return [
        region,
        atStage,
        { label: "Impact", value: impact },
        { label: "Cause", value: byPerson ?? describeCauseLine(view.cause ?? [], view.oldColour) },
        errorAndLatency,
        { label: "Status", value: status },
        { label: "Release", value: release(view) },
      ];
    }
    case "emergency-rollback":
      return [
        { label: "Service", value: view.service },
        { label: "Impact", value: `Emergency rollback by ${view.triggeredBy ?? "someone"}, every region of ${view.service} in parallel` },
        ...(view.regions ?? []).map((r) => ({ label: r.name, value: r.durationMs == null ? r.outcome : `${r.outcome} in ${formatDuration(r.durationMs)}` })),
        { label: "Status", value: view.detail ?? "done" },
      ];
    case "rollout-started":
      return [
        { label: "Release", value: release(view) },
        view.strategy ? { label: "Strategy", value: view.strategy } : null,
        view.detail ? { label: "Plan", value: view.detail } : null,
      ];
    case "approval-needed":
      return [
        region,
        { label: "Release", value: release(view) },
        { label: "Waiting for", value: view.detail ?? "approval" },
        view.schema ? { label: "Migrations", value: describeMigrations(view.schema, view.version) } : null,
      ];
    case "region-succeeded":
      return [
        region,
        { label: "Release", value: release(view) },
        { label: "Live on", value: capital(view.newColour ?? "the new colour") },
        view.durationMs == null ? null : { label: "Took", value: formatDuration(view.durationMs) },
      ];
    case "rollout-finished":
      return [
        { label: "Release", value: release(view) },
        { label: "Outcome", value: capital(view.outcome ?? "finished") },
        view.durationMs == null ? null : { label: "Took", value: formatDuration(view.durationMs) },
        ...(view.regions ?? []).map((r) => ({ label: r.name, value: r.durationMs == null ? r.outcome : `${r.outcome} in ${formatDuration(r.durationMs)}` })),
      ];
    case "analysis-inconclusive":
      return [
        region,
        atStage,
        { label: "Status", value: "⏸ Stage on hold, paused until someone looks" },
        { label: "Why", value: view.detail ?? "too many inconclusive samples" },
        errorAndLatency,
        { label: "Release", value: release(view) },
      ];
    case "provider-failure":
      return [
        region,
        atStage,
        { label: "What failed", value: view.detail ?? "a provider call" },
        view.error ? { label: "Error", value: view.error } : null,
        { label: "Release", value: release(view) },
      ];
    case "quarantine":
      return [
        region,
        { label: "Release", value: release(view) },
        { label: "Why", value: view.detail ?? "rolled back for a breach in another region" },
        { label: "Your choice", value: "This region keeps running it: rolling back is your call (Roll back on the rollout page)" },
      ];
  }
}

/** At most this many migrations on a card (a chat message has a size limit); the approval page lists them all. */
const CARD_MIGRATIONS_MAX = 10;

/**
 * "0042_add_col (expand), 0043_drop_x (contract, tolerated by 1.4.0)": the manifest's migrations in its order, a
 * contract one with what the region served at start. Past CARD_MIGRATIONS_MAX the contract ones are kept first
 * and the rest counted ("and 4 more on the approval page"); a manifest without migrations says so.
 */
function describeMigrations(schema: CardSchema, version: string): string {
  const all = schema.migrations;
  if (all.length === 0) return "none declared";
  const kept = new Set([...all.filter((m) => m.class === "contract"), ...all.filter((m) => m.class !== "contract")].slice(0, CARD_MIGRATIONS_MAX));
  const shown = all.filter((m) => kept.has(m)).map((m) => `${m.id} (${m.class === "contract" ? `contract, ${contractWords(schema, version)}` : m.class})`);
  const more = all.length - shown.length;
  return `${shown.join(", ")}${more > 0 ? `, and ${more} more on the approval page` : ""}`;
}

function contractWords(schema: CardSchema, version: string): string {
  if (schema.liveVersion === null) return "nothing live yet";
  if (schema.liveVersion === version) return "already live";
  if (schema.tolerated) return `tolerated by ${schema.liveVersion}`;
  return `not tolerated by ${schema.liveVersion}${schema.overridden ? ": started by an admin's override" : ""}`;
}

function links(view: NotificationView): CardLink[] {
  const l = view.links;
  const all: Array<[string, string | undefined]> = [
    ["🔗 Rollout", l.rollout],
    ["🗺 Overview", l.overview],
    ["✋ Approve or reject", view.kind === "approval-needed" ? l.approvals : undefined],
    ["📊 View Dashboard", l.dashboard],
    ["View Logs", l.logs],
    ["📋 Debugging Guide", l.guide],
  ];
  return all.filter((pair): pair is [string, string] => Boolean(pair[1])).map(([label, url]) => ({ label, url }));
}

/** The on-call's call to act on an incident card ("@oncall-sre: please acknowledge …"), or null; Slack makes the handle a mention. */
export function oncallLine(view: NotificationView): { handle: string; rest: string } | null {
  if (!view.oncall) return null;
  const how = view.rolloutId
    ? `Acknowledge on the card or the rollout page, or flightdeck ack ${view.rolloutId}`
    : "acknowledge it on the rollout page of each region";
  return { handle: `@${view.oncall.handle}`, rest: `please acknowledge this incident (${how}); unacknowledged, it escalates to a ticket, then a page.` };
}

/** The facts whose value follows the title in the one-line summary (an emergency rollback's is its Status). */
const LEAD_FACTS = new Set(["Cause", "Outcome", "What failed", "Why"]);

export function cardContent(view: NotificationView): CardContent {
  const list = facts(view).filter((f): f is Fact => f !== null);
  const title = TITLES[view.kind];
  const where = view.regionName ? ` • ${view.regionName}` : "";
  const first = list.find((f) => LEAD_FACTS.has(f.label) || (f.label === "Status" && view.kind === "emergency-rollback"));
  // A card about a whole service names no single release.
  const what = view.kind === "emergency-rollback" ? view.service : release(view);
  const summary = `${title}${where} • ${what}${first ? ` • ${first.value}` : ""}`;
  return { title, facts: list, links: links(view), summary, correlationId: view.correlationId };
}
