/**
 * The rollout's notifications: every Slack / Teams card its events caused, newest first, with where it went,
 * whether it arrived, and why not (in words, with the attempts and the next try); each card can be previewed as
 * it was posted. Failed Pushgateway pushes and Grafana annotations are listed apart: they are not cards.
 */
import { RelativeTime } from "@/components/regions/relative-time";
import type { RouterOutputs } from "@/components/trpc/client";
import { CardPreview } from "./card-preview";
import { attemptWords, deliveryState, describeDeliveryError, type DeliveryLook } from "./delivery-words";

type Notifications = RouterOutputs["notifications"]["forRollout"];
type Card = Notifications["cards"][number];
type ObservabilityFailure = Notifications["observabilityFailures"][number];

const CARD_WORDS: Record<string, string> = {
  incident: "Incident card",
  "analysis-inconclusive": "Inconclusive analysis alert",
  "provider-failure": "Provider failure alert",
  "rollout-started": "Rollout started card",
  "approval-needed": "Approval needed card",
  "region-succeeded": "Region succeeded card",
  "rollout-finished": "Rollout finished card",
};
const BADGE: Record<DeliveryLook, string> = {
  sent: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  waiting: "bg-sky-50 text-sky-800 ring-sky-200",
  retrying: "bg-amber-50 text-amber-900 ring-amber-300",
  failed: "bg-red-50 text-red-800 ring-red-200",
  grouped: "bg-slate-100 text-slate-700 ring-slate-300",
};
const ITEM: Record<DeliveryLook, string> = {
  sent: "border-slate-200",
  waiting: "border-slate-200",
  retrying: "border-amber-300 bg-amber-50/50",
  failed: "border-red-300 bg-red-50/60",
  grouped: "border-slate-200",
};
const SUMMARY =
  "w-fit cursor-pointer rounded text-sm font-medium text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
const KIND_WORDS = { slack: "Slack", teams: "Teams" } as const;

function ErrorWords({ error, who, tone }: { error: string; who: string; tone: "red" | "amber" }) {
  return (
    <div className={`flex flex-col gap-0.5 text-sm ${tone === "red" ? "text-red-900" : "text-amber-900"}`}>
      <p>{describeDeliveryError(error, who)}</p>
      <p className="font-mono text-xs break-all opacity-80">{error}</p>
    </div>
  );
}

function CardItem({ card, now }: { card: Card; now: number | null }) {
  const state = deliveryState(card);
  const next = attemptWords(card, now);
  const who = card.channel.kind ? KIND_WORDS[card.channel.kind] : "The webhook";
  return (
    <li data-testid={`notification-${card.id}`} className={`flex flex-col gap-2 rounded-md border p-3 ${ITEM[state.look]}`}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="text-sm font-medium text-slate-900">
            {CARD_WORDS[card.cardKind] ?? card.cardKind} to <span className="font-mono">{card.channel.name}</span>
            {card.channel.kind ? (
              <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-normal text-slate-600">{KIND_WORDS[card.channel.kind]}</span>
            ) : null}
          </p>
          <p className="text-sm break-words text-slate-600">{card.event.message}</p>
        </div>
        <div className="flex items-center gap-2 text-xs text-slate-500">
          <span className={`rounded-full px-2 py-0.5 font-medium ring-1 ring-inset ${BADGE[state.look]}`}>{state.label}</span>
          {card.sentAt !== null ? <RelativeTime at={card.sentAt} /> : <RelativeTime at={card.createdAt} />}
        </div>
      </div>
      {card.lastError && (state.look === "failed" || state.look === "retrying") ? (
        <ErrorWords error={card.lastError} who={who} tone={state.look === "failed" ? "red" : "amber"} />
      ) : null}
      {next ? <p className="text-xs text-slate-600">{next}</p> : null}
      <details>
        <summary className={SUMMARY}>Preview</summary>
        <div className="mt-2">
          <CardPreview payload={card.payload} />
        </div>
      </details>
    </li>
  );
}

function ObservabilityItem({ failure }: { failure: ObservabilityFailure }) {
  const who = failure.target === "pushgateway" ? "The Pushgateway" : "Grafana";
  return (
    <li data-testid={`observability-failure-${failure.id}`} className="flex flex-col gap-1 rounded-md border border-red-300 bg-red-50/60 p-3">
      <p className="text-sm font-medium text-red-900">
        Observability delivery failed: {failure.what}
        {failure.event.regionId ? ` for ${failure.event.regionId}` : ""}
      </p>
      <p className="text-xs text-slate-600">
        After “{failure.event.message}” · {failure.attempts} attempt{failure.attempts === 1 ? "" : "s"} · <RelativeTime at={failure.createdAt} />
      </p>
      {failure.lastError ? <ErrorWords error={failure.lastError} who={who} tone="red" /> : null}
    </li>
  );
}

function Counts({ counts }: { counts: Notifications["counts"] }) {
  const parts = [
    counts.failed > 0 ? (
      <span key="failed" className="font-medium text-red-700">
        {counts.failed} failed
      </span>
    ) : null,
    counts.pending > 0 ? (
      <span key="pending" className="text-sky-800">
        {counts.pending} waiting
      </span>
    ) : null,
    counts.sent > 0 ? <span key="sent">{counts.sent} sent</span> : null,
    counts.grouped > 0 ? <span key="grouped">{counts.grouped} grouped</span> : null,
    counts.observabilityFailed > 0 ? (
      <span key="obs" className="font-medium text-red-700">
        {counts.observabilityFailed} observability failed
      </span>
    ) : null,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <p data-testid="notification-counts" className="flex flex-wrap gap-x-3 text-sm text-slate-600">
      {parts}
    </p>
  );
}

export function NotificationsPanel({ data, error, now }: { data: Notifications | undefined; error: string | null; now: number | null }) {
  return (
    <section aria-labelledby="notifications" className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:p-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="notifications" className="text-lg font-semibold text-slate-900">
          Notifications
        </h2>
        {data ? <Counts counts={data.counts} /> : null}
      </div>
      {!data ? (
        <p role={error ? "alert" : "status"} className="text-sm text-slate-500">
          {error ? `The notifications could not be loaded: ${error}` : "Loading notifications…"}
        </p>
      ) : (
        <>
          {data.observabilityFailures.length > 0 ? (
            <ul aria-label="Observability deliveries that failed" className="flex flex-col gap-2">
              {data.observabilityFailures.map((f) => (
                <ObservabilityItem key={f.id} failure={f} />
              ))}
            </ul>
          ) : null}
          {data.cards.length === 0 ? (
            <p className="text-sm text-slate-500">No cards sent for this rollout yet.</p>
          ) : (
            <ol aria-label="Cards" className="flex flex-col gap-2">
              {data.cards.map((card) => (
                <CardItem key={card.id} card={card} now={now} />
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
