/**
 * Delivery of the escalation rows (./escalation-enqueue.ts): the sender claims, judges and retries them like
 * cards; this file decides, when a row is due, whether its step is still needed, makes its one request, and
 * names the event to record with the row's outcome (in the same transaction, so a step is recorded once).
 *
 * Exactly once: a ticket whose earlier POST may have arrived (the row's post mark is set: a crash, a timeout)
 * first asks Jira for an issue with the incident's label and takes it instead of opening a second; PagerDuty
 * deduplicates on dedup_key = the incident id, so a repeated trigger never pages twice.
 */
import type { Store } from "@/db/client";
import type { OutboxRow } from "@/db/store/repositories/outbox";
import type { FleetConfig } from "@/server/config/schema";
import { eventValues, type EventDraft } from "@/server/engine/machine/events";
import {
  buildJiraIssue,
  createIssue,
  foundIssueKeyOf,
  issueKeyOf,
  issueUrl,
  searchIssues,
  searchPath,
  type JiraOptions,
} from "@/server/providers/escalate-jira";
import { buildResolve, buildTrigger, sendEvent } from "@/server/providers/escalate-pagerduty";
import type { WebhookAnswer } from "@/server/providers/notify-webhook";
import { ESCALATION_CHANNELS, type EscalationJob, type ResolveJob } from "./escalation-enqueue";
import { incidentState, type IncidentRef } from "./incidents";

export type EscalationContext = {
  db: Store;
  config: FleetConfig;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  correlationId: string | null;
  now: () => number;
};

/** The event a sent step records, with the columns of its row. */
export type StepRecord = EventDraft & { rolloutId: string; regionId: string; serviceId: string | null };

/**
 * The answer to judge (and the event to record once it is a 2xx), a step no longer needed (settled without a
 * request, `skipped`: why), a row that cannot be sent (`cannot`: why), or a claim lost before the request.
 */
export type EscalationStep = { answer: WebhookAnswer; record?: StepRecord } | { skipped: string } | { cannot: string } | { lost: true };

const WAITING_FOR_PAGE: WebhookAnswer = { kind: "unreachable", error: "waiting for the page's trigger to be answered first", mayHaveArrived: false };

export async function deliverEscalationStep(ctx: EscalationContext, row: OutboxRow): Promise<EscalationStep> {
  if (row.channelId === ESCALATION_CHANNELS.resolve) return resolvePage(ctx, row.payload as ResolveJob);
  const job = row.payload as EscalationJob;
  const state = await incidentState(ctx.db, job.incident);
  if (state.state !== "open") return { skipped: `not needed: ${state.why}` };
  return row.channelId === ESCALATION_CHANNELS.ticket ? openTicket(ctx, row, job) : page(ctx, job);
}

/** The configured secrets' values: redacted from every error and body the sender stores or logs. */
export function escalationSecrets(config: FleetConfig, env: Record<string, string | undefined>): Array<string | undefined> {
  const esc = config.escalation;
  return [esc?.jira?.apiTokenEnv, esc?.jira?.emailEnv, esc?.pagerduty?.routingKeyEnv].map((name) => (name ? env[name] : undefined));
}

async function openTicket(ctx: EscalationContext, row: OutboxRow, job: EscalationJob): Promise<EscalationStep> {
  const jira = ctx.config.escalation?.jira;
  if (!jira) return { cannot: "escalation.jira is no longer in the config" };
  const apiToken = ctx.env[jira.apiTokenEnv];
  if (!apiToken) return { cannot: `environment variable ${jira.apiTokenEnv} is not set` };
  const email = jira.emailEnv ? ctx.env[jira.emailEnv] : undefined;
  if (jira.emailEnv && !email) return { cannot: `environment variable ${jira.emailEnv} is not set` };
  const opts: JiraOptions = { baseUrl: jira.baseUrl, apiToken, email, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl, correlationId: ctx.correlationId };
  const opened = (key: string | null, foundExisting: boolean): StepRecord =>
    record(job.incident, {
      type: "escalation.ticket_opened",
      message: `${key ?? "A Jira ticket"} ${foundExisting ? "was already open" : "opened"} for the incident in ${job.incident.regionId}: nobody acknowledged it within ${job.afterMinutes} min.`,
      data: {
        incidentId: job.incident.incidentId,
        ticketKey: key,
        ticketUrl: key ? issueUrl(jira.baseUrl, key) : null,
        ...(foundExisting ? { foundExisting: true as const } : {}),
      },
    });

  if (row.postStartedAt !== null) {
    // An earlier POST may have opened it: look before opening another.
    const search = await searchIssues(opts, searchPath(job.incident.incidentId));
    if (search.kind !== "answered" || search.status >= 300) return { answer: search };
    const found = foundIssueKeyOf(search.body);
    if (found) return { answer: search, record: opened(found, true) };
  }
  if (!(await ctx.db.outbox.markPostStarted(row, ctx.now()))) return { lost: true };
  const answer = await createIssue(opts, buildJiraIssue(jira, job.facts, job.afterMinutes));
  return { answer, record: opened(answer.kind === "answered" ? issueKeyOf(answer.body) : null, false) };
}

async function page(ctx: EscalationContext, job: EscalationJob): Promise<EscalationStep> {
  const pd = ctx.config.escalation?.pagerduty;
  if (!pd) return { cannot: "escalation.pagerduty is no longer in the config" };
  const routingKey = ctx.env[pd.routingKeyEnv];
  if (!routingKey) return { cannot: `environment variable ${pd.routingKeyEnv} is not set` };
  const answer = await sendEvent(
    { eventsUrl: pd.eventsUrl, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl, correlationId: ctx.correlationId },
    buildTrigger(routingKey, job.facts, job.afterMinutes, job.rolloutUrl),
  );
  return {
    answer,
    record: record(job.incident, {
      type: "escalation.paged",
      message: `PagerDuty paged for the incident in ${job.incident.regionId}: nobody acknowledged it within ${job.afterMinutes} min.`,
      data: { incidentId: job.incident.incidentId, dedupKey: job.incident.incidentId },
    }),
  };
}

/** Resolve the incident's page if it was paged; a page still due is skipped when due (the incident is resolved). */
async function resolvePage(ctx: EscalationContext, job: ResolveJob): Promise<EscalationStep> {
  const rows = await ctx.db.outbox.listForRollout(job.incident.rolloutId);
  const pageRow = rows
    .map((r) => r.row)
    .find((r) => r.channelId === ESCALATION_CHANNELS.page && (r.payload as EscalationJob).incident.incidentId === job.incident.incidentId);
  if (!pageRow || pageRow.status === "pending" || pageRow.status === "failed") return { skipped: "never paged: nothing to resolve" };
  if (pageRow.status === "sending") return { answer: WAITING_FOR_PAGE };
  if ((pageRow.payload as { skipped?: string }).skipped) return { skipped: "never paged: nothing to resolve" };
  const pd = ctx.config.escalation?.pagerduty;
  if (!pd) return { cannot: "escalation.pagerduty is no longer in the config" };
  const routingKey = ctx.env[pd.routingKeyEnv];
  if (!routingKey) return { cannot: `environment variable ${pd.routingKeyEnv} is not set` };
  const dedupKey = job.incident.incidentId;
  const answer = await sendEvent(
    { eventsUrl: pd.eventsUrl, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl, correlationId: ctx.correlationId },
    buildResolve(routingKey, dedupKey),
  );
  return {
    answer,
    record: record(job.incident, {
      type: "escalation.page_resolved",
      message: `PagerDuty page of the incident in ${job.incident.regionId} resolved (${job.why}).`,
      data: { incidentId: dedupKey, dedupKey, why: job.why },
    }),
  };
}

function record(incident: Pick<IncidentRef, "rolloutId" | "regionId"> & { serviceId?: string }, draft: EventDraft): StepRecord {
  return { ...draft, rolloutId: incident.rolloutId, regionId: incident.regionId, serviceId: incident.serviceId ?? null };
}

/** Writes a sent step's event in the transaction that marks its row. */
export async function writeStepRecord(tx: Store, step: StepRecord, at: number, correlationId: string | null): Promise<void> {
  await tx.events.insertAll([eventValues({ ...step, at, actor: "engine", correlationId })]);
}
