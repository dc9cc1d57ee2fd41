/**
 * A delivery's state and error in words for the notifications panel. The sender stores terse errors ("HTTP
 * 404: no_service", "fetch failed (ECONNREFUSED)"); an on-call reader wants to know what that means and whether
 * anything will happen next. Pure.
 */
import { formatDuration } from "./format";

export type DeliveryStatus = "pending" | "sending" | "sent" | "failed" | "grouped";
export type DeliveryLook = "sent" | "waiting" | "retrying" | "failed" | "grouped";

/** What to call the delivery and how to show it. A pending card with an error has failed at least once. */
export function deliveryState(d: { status: DeliveryStatus; attempts: number; lastError: string | null }): { label: string; look: DeliveryLook } {
  switch (d.status) {
    case "sent":
      return { label: "Sent", look: "sent" };
    case "sending":
      return { label: "Sending", look: "waiting" };
    case "grouped":
      return { label: "Grouped", look: "grouped" };
    case "failed":
      return { label: "Failed", look: "failed" };
    case "pending":
      return d.attempts > 0 && d.lastError ? { label: "Retrying", look: "retrying" } : { label: "Waiting to send", look: "waiting" };
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "in 2 min", or "any moment now" once due. */
export function formatIn(at: number, now: number): string {
  return at <= now ? "any moment now" : `in ${formatDuration(at - now)}`;
}

const utc = (at: number) => `${new Date(at).toISOString().slice(11, 19)} UTC`;

/** The attempts, and what comes next: the next try, or that none will come. `now` is null before hydration. */
export function attemptWords(
  d: { status: DeliveryStatus; attempts: number; lastError: string | null; nextAttemptAt: number | null },
  now: number | null,
): string | null {
  if (d.status === "failed") return `${plural(d.attempts, "attempt")}; it will not be tried again.`;
  if (d.status === "grouped") return "A repeat of the same alert within 10 minutes: not sent again.";
  if (d.status === "sending") return `Attempt ${Math.max(1, d.attempts)} is being sent now.`;
  if (d.status !== "pending" || d.nextAttemptAt === null) return null;
  const when = now === null ? `at ${utc(d.nextAttemptAt)}` : formatIn(d.nextAttemptAt, now);
  return d.attempts > 0 && d.lastError ? `${plural(d.attempts, "attempt")} failed; next try ${when}.` : `First try ${when}.`;
}

const HTTP = /^HTTP (\d{3})(?::\s*([\s\S]*))?$/;

const HTTP_WORDS: Array<[test: (status: number) => boolean, words: (who: string, status: number) => string]> = [
  [(s) => s === 400, (who) => `${who} rejected the request as malformed (HTTP 400).`],
  [(s) => s === 401 || s === 403, (who, s) => `${who} refused the request (HTTP ${s}): the URL or key is no longer allowed to post there.`],
  [(s) => s === 404 || s === 410, (who, s) => `${who} does not know this address (HTTP ${s}): the URL is wrong or was deleted.`],
  [(s) => s === 408, (who) => `${who} timed out waiting for the request (HTTP 408).`],
  [(s) => s === 413, (who) => `${who} found the request too large (HTTP 413).`],
  [(s) => s === 429, (who) => `${who} is rate limiting Flightdeck (HTTP 429).`],
  [(s) => s >= 500, (who, s) => `${who} had a server error (HTTP ${s}).`],
];

const NETWORK_WORDS: Array<[RegExp, (who: string) => string]> = [
  [/^no answer within (\d+) ms/, (who) => `${who} did not answer in time.`],
  [/ECONNREFUSED/, (who) => `The connection was refused: nothing listens at ${possessive(lower(who))} address.`],
  [/ENOTFOUND|EAI_AGAIN/, (who) => `The host name of ${lower(who)} could not be resolved (DNS).`],
  [/ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT/, () => "The connection timed out."],
  [/ECONNRESET|UND_ERR_SOCKET|other side closed/, () => "The connection was closed before an answer came."],
  [/certificate|CERT_|SSL|TLS/i, (who) => `The TLS certificate of ${lower(who)} was not accepted.`],
  [/Failed to parse URL|ERR_INVALID_URL|Invalid URL/, () => "The configured URL is not a valid URL (it must start with https://)."],
  [/includes credentials/, () => "The configured URL holds a user name or password, which cannot be sent that way."],
];

const lower = (who: string) => (who.startsWith("The ") ? `t${who.slice(1)}` : who);
/** "Slack's", "Teams'". */
const possessive = (name: string) => (name.endsWith("s") ? `${name}'` : `${name}'s`);

/**
 * One sentence for a stored delivery error. `who`: who answered, as the start of a sentence ("Slack",
 * "Teams", "The webhook", "The Pushgateway", "Grafana").
 */
export function describeDeliveryError(error: string, who = "The webhook"): string {
  const http = HTTP.exec(error);
  if (http) {
    const status = Number(http[1]);
    const said = http[2]?.trim();
    const words = HTTP_WORDS.find(([test]) => test(status))?.[1](who, status) ?? `${who} answered HTTP ${status}.`;
    return said ? `${words} It said: “${said}”.` : words;
  }
  const env = /^environment variable (\S+) is not set/.exec(error);
  if (env) return `Flightdeck has no address or key for it: the environment variable ${env[1]} is not set where the sender runs.`;
  const removed = /^channel "(.+)" is no longer in the config/.exec(error);
  if (removed) return `The channel "${removed[1]}" was removed from the fleet config before this was sent.`;
  if (/is no longer in the config/.test(error)) return "Its settings were removed from the fleet config before this was sent.";
  if (/^waiting for the region annotation/.test(error)) return "Waiting for the region's annotation to be created first.";
  const network = NETWORK_WORDS.find(([pattern]) => pattern.test(error));
  return network ? network[1](who) : `${who} could not be reached.`;
}
