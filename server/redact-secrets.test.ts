import { describe, expect, it } from "vitest";
import { redactSecrets, urlWithoutSecrets } from "./redact-secrets";

const SLACK = "https://hooks.slack.com/services/T0001/B0001/XXXXsecretXXXX";
const TEAMS = "https://prod-12.westus.logic.azure.com:443/workflows/abc123/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGsecret";

describe("delivery errors shown to a browser", () => {
  it.each([
    [
      "Node's parse error quoting a scheme-less URL",
      "Failed to parse URL from hooks.slack.com/services/T0001/B0001/XXXXsecretXXXX",
      [],
      "Failed to parse URL from hooks.slack.com/…",
    ],
    [
      "Node's refusal of a URL with credentials",
      "Request cannot be constructed from a URL that includes credentials: https://user:pw@push.example.test/metrics",
      [],
      "Request cannot be constructed from a URL that includes credentials: https://push.example.test/…",
    ],
    ["a proxy echoing the Slack URL", `HTTP 404: no route to ${SLACK}`, [], "HTTP 404: no route to https://hooks.slack.com/…"],
    [
      "a Teams URL whose secret is a query parameter",
      `HTTP 502: upstream ${TEAMS} failed`,
      [],
      "HTTP 502: upstream https://prod-12.westus.logic.azure.com/… failed",
    ],
    ["the configured secret's path alone", "HTTP 404: /services/T0001/B0001/XXXXsecretXXXX not found", [SLACK], "HTTP 404: /… not found"],
    ["a configured key that is not a URL", "HTTP 401: invalid API key glsa_0123456789abcdef", ["glsa_0123456789abcdef"], "HTTP 401: invalid API key …"],
  ])("hides %s", (_what, error, secrets, expected) => {
    expect(redactSecrets(error, secrets)).toBe(expected);
  });

  it.each([
    ["HTTP 400: invalid_payload"],
    ["fetch failed (ECONNREFUSED)"],
    ["no answer within 10000 ms"],
    ["environment variable SLACK_WEBHOOK_URL is not set"],
    ["HTTP 503: see https://status.slack.com for outages"],
    ["error rate 1.2 % > 0.8 %"],
  ])("keeps %s as it is", (error) => {
    expect(redactSecrets(error, [SLACK, undefined, "short"])).toBe(error);
  });

  it("keeps a URL's host and drops its path, query and credentials", () => {
    expect(urlWithoutSecrets(SLACK)).toBe("https://hooks.slack.com/…");
    expect(urlWithoutSecrets("https://a:b@grafana.example.test")).toBe("https://grafana.example.test/…");
    expect(urlWithoutSecrets("https://grafana.example.test/")).toBe("https://grafana.example.test/");
    expect(urlWithoutSecrets("not a url")).toBe("…");
  });
});
