import { describe, expect, it } from "vitest";
import { attemptWords, deliveryState, describeDeliveryError, formatIn } from "./delivery-words";

describe("a delivery error in words", () => {
  it.each([
    ["HTTP 404: no_service", "Slack", "Slack does not know this address (HTTP 404): the URL is wrong or was deleted. It said: “no_service”."],
    ["HTTP 403: invalid_token", "Slack", "Slack refused the request (HTTP 403): the URL or key is no longer allowed to post there. It said: “invalid_token”."],
    ["HTTP 400: invalid_blocks", "Slack", "Slack rejected the request as malformed (HTTP 400). It said: “invalid_blocks”."],
    ["HTTP 429: rate limited", "Teams", "Teams is rate limiting Flightdeck (HTTP 429). It said: “rate limited”."],
    ["HTTP 503", "The Pushgateway", "The Pushgateway had a server error (HTTP 503)."],
    ["HTTP 302", "Grafana", "Grafana answered HTTP 302."],
    ["no answer within 10000 ms", "Teams", "Teams did not answer in time."],
    ["fetch failed (ECONNREFUSED)", "The Pushgateway", "The connection was refused: nothing listens at the Pushgateway's address."],
    ["fetch failed (ECONNREFUSED)", "Teams", "The connection was refused: nothing listens at Teams' address."],
    ["fetch failed (ENOTFOUND)", "Slack", "The host name of Slack could not be resolved (DNS)."],
    ["Failed to parse URL from hooks.slack.com/…", "Slack", "The configured URL is not a valid URL (it must start with https://)."],
    [
      "environment variable SLACK_WEBHOOK_URL is not set",
      "Slack",
      "Flightdeck has no address or key for it: the environment variable SLACK_WEBHOOK_URL is not set where the sender runs.",
    ],
    ['channel "ops" is no longer in the config', "The webhook", 'The channel "ops" was removed from the fleet config before this was sent.'],
    ["fetch failed", "Teams", "Teams could not be reached."],
  ])("%s from %s", (error, who, words) => {
    expect(describeDeliveryError(error, who)).toBe(words);
  });
});

describe("a delivery's state and what comes next", () => {
  const now = 1_000_000;

  it("calls a pending card that has failed before 'Retrying', and says when the next try is", () => {
    const retrying = { status: "pending" as const, attempts: 2, lastError: "HTTP 503", nextAttemptAt: now + 120_000 };
    expect(deliveryState(retrying)).toEqual({ label: "Retrying", look: "retrying" });
    expect(attemptWords(retrying, now)).toBe("2 attempts failed; next try in 2 min.");
    // Before hydration there is no "now": the time is given instead.
    expect(attemptWords({ ...retrying, nextAttemptAt: Date.UTC(2026, 0, 1, 9, 30, 5) }, null)).toBe("2 attempts failed; next try at 09:30:05 UTC.");
  });

  it("tells a failed card will not be tried again, a grouped one was not sent, a new one is waiting", () => {
    expect(deliveryState({ status: "failed", attempts: 1, lastError: "HTTP 404" })).toEqual({ label: "Failed", look: "failed" });
    expect(attemptWords({ status: "failed", attempts: 1, lastError: "HTTP 404", nextAttemptAt: null }, now)).toBe("1 attempt; it will not be tried again.");
    expect(attemptWords({ status: "grouped", attempts: 0, lastError: null, nextAttemptAt: null }, now)).toBe(
      "A repeat of the same alert within 10 minutes: not sent again.",
    );
    const fresh = { status: "pending" as const, attempts: 0, lastError: null, nextAttemptAt: now - 1 };
    expect(deliveryState(fresh)).toEqual({ label: "Waiting to send", look: "waiting" });
    expect(attemptWords(fresh, now)).toBe("First try any moment now.");
    expect(attemptWords({ status: "sent", attempts: 1, lastError: null, nextAttemptAt: null }, now)).toBeNull();
  });

  it("counts down to a time in the future", () => {
    expect(formatIn(now + 30_000, now)).toBe("in 30 s");
    expect(formatIn(now + 3_600_000, now)).toBe("in 1 h");
    expect(formatIn(now, now)).toBe("any moment now");
  });
});
