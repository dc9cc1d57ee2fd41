/**
 * Delivers the notification outbox. Each due row is claimed with a conditional UPDATE (pending → sending, or
 * a `sending` row whose lease ran out) that only one sender can win, in any process on any replica; then it is
 * POSTed; then marked with another conditional UPDATE that only the claim's holder can make.
 *
 * Guarantees: exactly one outbox row per event and channel (enqueue.ts), and one sender at a time per row.
 * A card is posted at most once unmarked. Every card carries its row's key (./delivery-key.ts); the row records
 * that a POST started before the request leaves (`postStartedAt`). If the process dies between the POST leaving
 * and its answer being recorded, or the request times out or is cut after it may have left, the card may have
 * arrived: the next POST of that row (after the claim's LEASE_MS, or the retry's backoff) says "possible repeat
 * of <key>" on the card. An answer that proves it did not arrive (a non-2xx status, a refused connection) puts
 * the mark back as it was. Slack and Teams incoming webhooks cannot deduplicate, so this is the guarantee:
 * docs/notifications.md. A failure here never touches a rollout: errors are stored on the row (lastError) and
 * logged, never thrown.
 *
 * Outcomes: 2xx sent; 429 retried after Retry-After; 5xx, timeouts and network errors retried with
 * exponential backoff (capped); other 4xx failed at once (the request itself is wrong, a retry cannot help);
 * after `maxAttempts` the row is failed with the last error.
 *
 * Rows on the reserved channels `pushgateway*` and `grafana*` are Pushgateway pushes and Grafana annotations
 * (./observability-enqueue.ts), sent by ./observability-deliver.ts and judged the same way. Every request
 * carries the rollout's correlation id (traceparent, x-correlation-id).
 */
import type { Logger } from "pino";
import type { Store } from "@/db/client";
import type { OutboxRow } from "@/db/store/repositories/outbox";
import { rawEnv } from "@/server/config/env";
import type { FleetConfig } from "@/server/config/schema";
import { crashPoint } from "@/server/engine/crash-points";
import { engineMetrics } from "@/server/metrics";
import { postWebhook, type WebhookAnswer } from "@/server/providers/notify-webhook";
import { redactSecrets, urlWithoutSecrets } from "@/server/redact-secrets";
import { traceHeaders } from "@/server/providers/trace-headers";
import { stampCard } from "./delivery-key";
import { isEscalationChannel } from "./escalation-enqueue";
import { deliverEscalationStep, escalationSecrets, writeStepRecord, type StepRecord } from "./escalation-deliver";
import { deliverObservabilityJob, isObservabilityChannel } from "./observability-deliver";

export type SenderOptions = {
  db: Store;
  config: FleetConfig;
  env?: Record<string, string | undefined>;
  now?: () => number;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a claimed row stays ours; after that a `sending` row is claimed again (the sender died). */
  leaseMs?: number;
  batchSize?: number;
  log?: Pick<Logger, "warn" | "info">;
};

export type DeliveryResult = {
  id: number;
  channelId: string;
  /** `skipped`: an escalation step no longer needed when due (docs/notifications.md#escalation), settled without a request. */
  outcome: "sent" | "retry" | "failed" | "skipped";
  status: number | null;
  body: string | null;
  error: string | null;
};

export const SENDER_DEFAULTS = { timeoutMs: 10_000, maxAttempts: 6, baseBackoffMs: 5_000, maxBackoffMs: 5 * 60_000, leaseMs: 60_000, batchSize: 20 };
/** A Retry-After longer than this is treated as this: a card hours late is no longer news. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

type Row = OutboxRow;

export async function deliverDueNotifications(options: SenderOptions): Promise<DeliveryResult[]> {
  const o = { ...SENDER_DEFAULTS, ...options };
  const now = o.now ?? Date.now;
  const due = await o.db.outbox.due(now(), o.batchSize);
  const results: DeliveryResult[] = [];
  for (const row of due) {
    const claimed = await o.db.outbox.claim(row, now() + o.leaseMs);
    if (!claimed) continue; // another sender won
    const result = await deliver(o, claimed, now);
    if (result) results.push(result);
  }
  return results;
}

/** The row's delivery, or null when its claim was lost before the POST (another sender has it now). */
async function deliver(o: typeof SENDER_DEFAULTS & SenderOptions, row: Row, now: () => number): Promise<DeliveryResult | null> {
  const correlationId = await o.db.events.correlationIdOf(row.eventId);
  const env = o.env ?? rawEnv(); // the config's *Env names, read at each delivery
  const secrets = deliverySecrets(o.config, env);
  if (isObservabilityChannel(row.channelId)) {
    const job = await deliverObservabilityJob({ db: o.db, config: o.config, env, timeoutMs: o.timeoutMs, fetchImpl: o.fetchImpl, correlationId }, row);
    if ("cannot" in job) return mark(o, row, { outcome: "failed", status: null, body: null, error: job.cannot }, now());
    const result = withoutSecrets(judge(job.answer, row, o), secrets);
    if (result.outcome !== "sent")
      o.log?.warn({ outbox: row.id, channel: row.channelId, correlationId, attempt: row.attempts, ...result }, "observability push not delivered");
    return mark(o, row, result, now(), job.keep);
  }
  if (isEscalationChannel(row.channelId)) {
    const step = await deliverEscalationStep({ db: o.db, config: o.config, env, timeoutMs: o.timeoutMs, fetchImpl: o.fetchImpl, correlationId, now }, row);
    if ("lost" in step) return null;
    if ("cannot" in step) return mark(o, row, { outcome: "failed", status: null, body: null, error: step.cannot }, now());
    if ("skipped" in step)
      return mark(o, row, { outcome: "skipped", status: null, body: null, error: null }, now(), { ...(row.payload as object), skipped: step.skipped });
    const result = withoutSecrets(judge(step.answer, row, o), escalationSecrets(o.config, env));
    if (result.outcome !== "sent")
      o.log?.warn({ outbox: row.id, channel: row.channelId, correlationId, attempt: row.attempts, ...result }, "escalation step not delivered");
    const recorded = step.record && { step: step.record, correlationId };
    return mark(o, row, result, now(), undefined, result.mayHaveArrived === false ? { postStartedAt: row.postStartedAt } : {}, recorded);
  }
  const channel = o.config.notifications.channels.find((c) => c.id === row.channelId);
  if (!channel) return mark(o, row, { outcome: "failed", status: null, body: null, error: `channel "${row.channelId}" is no longer in the config` }, now());
  // An earlier POST of this row may have arrived (its answer was never recorded, or never came): say so on the card.
  const possibleRepeat = row.postStartedAt !== null;
  let payload: unknown;
  try {
    payload = stampCard(channel.kind, row.payload, row.id, possibleRepeat);
  } catch (err) {
    return mark(o, row, { outcome: "failed", status: null, body: null, error: err instanceof Error ? err.message : String(err) }, now());
  }
  if (!(await o.db.outbox.markPostStarted(row, now()))) return null;
  crashPoint("send.before-effect");
  if (possibleRepeat)
    o.log?.warn({ outbox: row.id, channel: row.channelId, correlationId, attempt: row.attempts }, "card may have arrived before: resent marked");
  const result = await postCard(o.config, channel, payload, { ...o, env, now, correlationId, attempts: row.attempts });
  crashPoint("send.after-effect");
  const url = env[channel.webhookUrlEnv];
  if (result.outcome !== "sent" && url)
    o.log?.warn(
      { outbox: row.id, channel: row.channelId, correlationId, target: urlWithoutSecrets(url), attempt: row.attempts, ...result },
      "notification not delivered",
    );
  // Proven not to have arrived: the row's mark goes back to what it was before this POST.
  const marked = await mark(o, row, result, now(), undefined, result.mayHaveArrived === false ? { postStartedAt: row.postStartedAt } : {});
  crashPoint("send.after-record");
  return marked;
}

type Channel = FleetConfig["notifications"]["channels"][number];
type CardOptions = { env: Record<string, string | undefined>; timeoutMs: number; fetchImpl?: typeof fetch; now?: () => number; correlationId: string | null };

/**
 * One card to one channel's webhook, judged as attempt `attempts` of `maxAttempts`, its error and body redacted:
 * what the sender does with a card row, and what the test card does directly (one attempt, no outbox row).
 */
export async function postCard(
  config: FleetConfig,
  channel: Channel,
  payload: unknown,
  o: CardOptions & typeof SENDER_DEFAULTS & { attempts: number },
): Promise<Judged> {
  const url = o.env[channel.webhookUrlEnv];
  if (!url) return { outcome: "failed", status: null, body: null, error: `environment variable ${channel.webhookUrlEnv} is not set` };
  const answer = await postWebhook(url, payload, {
    timeoutMs: o.timeoutMs,
    fetchImpl: o.fetchImpl,
    now: o.now ?? Date.now,
    headers: traceHeaders(o.correlationId),
  });
  return withoutSecrets(judge(answer, o, o), deliverySecrets(config, o.env));
}

/** Every value the config names as a delivery secret: webhook URLs, the Pushgateway URL, Grafana's API key. */
function deliverySecrets(config: FleetConfig, env: Record<string, string | undefined>): Array<string | undefined> {
  const names = [...config.notifications.channels.map((c) => c.webhookUrlEnv), config.observability.pushgatewayUrlEnv, config.observability.grafana?.apiKeyEnv];
  return names.map((name) => (name ? env[name] : undefined));
}

/**
 * What fetch or the far end said can quote a webhook URL (whose path is its secret) or a key: redacted here,
 * before anything is stored, logged or shown, so no reader needs to redact again.
 */
function withoutSecrets(r: Judged, secrets: Array<string | undefined>): Judged {
  return { ...r, error: r.error === null ? null : redactSecrets(r.error, secrets), body: r.body === null ? null : redactSecrets(r.body, secrets) };
}

/** `mayHaveArrived`: whether the request may have reached the far end (known for every outcome but "sent"). */
type Judged = {
  outcome: DeliveryResult["outcome"];
  status: number | null;
  body: string | null;
  error: string | null;
  retryInMs?: number;
  mayHaveArrived?: boolean;
};

function judge(answer: WebhookAnswer, row: Pick<Row, "attempts">, o: typeof SENDER_DEFAULTS): Judged {
  const backoff = Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** (row.attempts - 1));
  const last = row.attempts >= o.maxAttempts;
  if (answer.kind === "unreachable")
    return {
      outcome: last ? "failed" : "retry",
      status: null,
      body: null,
      error: answer.error,
      retryInMs: backoff,
      mayHaveArrived: answer.mayHaveArrived ?? true,
    };
  const { status, body } = answer;
  if (status >= 200 && status < 300) return { outcome: "sent", status, body, error: null };
  // The receiver answered that it did not take the card.
  const error = `HTTP ${status}${body ? `: ${body}` : ""}`;
  if (status === 429)
    return {
      outcome: last ? "failed" : "retry",
      status,
      body,
      error,
      retryInMs: Math.min(MAX_RETRY_AFTER_MS, answer.retryAfterMs ?? backoff),
      mayHaveArrived: false,
    };
  if (status >= 500 || status === 408) return { outcome: last ? "failed" : "retry", status, body, error, retryInMs: backoff, mayHaveArrived: false };
  return { outcome: "failed", status, body, error, mayHaveArrived: false };
}

/**
 * Only the holder of the claim (same attempts, still sending) may mark the row. `keep`: a payload to store once
 * sent (or skipped: settled as sent, its payload saying why); `extra`: more of the row to set with the outcome;
 * `recorded`: the event a sent escalation step records, written in the same transaction as the mark.
 */
async function mark(
  o: SenderOptions,
  row: Row,
  r: Judged,
  now: number,
  keep?: unknown,
  extra: Partial<Pick<Row, "postStartedAt">> = {},
  recorded?: { step: StepRecord; correlationId: string | null },
): Promise<DeliveryResult> {
  engineMetrics().deliveries.inc({ channel: row.channelId, result: r.outcome });
  const set =
    r.outcome === "sent" || r.outcome === "skipped"
      ? { status: "sent" as const, sentAt: now, lastError: null, ...(keep !== undefined ? { payload: keep } : {}) }
      : r.outcome === "retry"
        ? { status: "pending" as const, nextAttemptAt: now + (r.retryInMs ?? 0), lastError: r.error }
        : { status: "failed" as const, lastError: r.error };
  if (recorded && r.outcome === "sent")
    await o.db.transaction(async (tx) => {
      if (await tx.outbox.markClaimed(row, { ...set, ...extra })) await writeStepRecord(tx, recorded.step, now, recorded.correlationId);
    });
  else await o.db.outbox.markClaimed(row, { ...set, ...extra });
  return { id: row.id, channelId: row.channelId, outcome: r.outcome, status: r.status, body: r.body, error: r.error };
}
