import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { DEMO_CONFIG_PATH, parseConfig } from "./load";

/** The demo fleet with an `escalation` section: the problems the loader reports, as `path: message`. */
function problemsWith(escalation: unknown): string[] {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.escalation = escalation;
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  return config ? [] : problems.map((p) => `${p.path}: ${p.message}`);
}

const ONCALL = { slackUserGroupId: "S0123ABCD", handle: "oncall-sre" };

describe("the escalation config", () => {
  it("takes the on-call alone, with the minutes' defaults, and Jira and PagerDuty by variable name", () => {
    expect(problemsWith({ oncall: ONCALL })).toEqual([]);
    expect(problemsWith({ oncall: ONCALL, jira: { baseUrl: "https://acme.atlassian.net", projectKey: "OPS", emailEnv: "JIRA_EMAIL" }, pagerduty: {} })).toEqual(
      [],
    );
  });

  it("names the path of each mistake", () => {
    expect(problemsWith({ oncall: { slackUserGroupId: "@oncall", handle: "@oncall-sre" } })).toEqual([
      'escalation.oncall.slackUserGroupId: expected a Slack user group id such as S0123ABCD, got "@oncall"',
      'escalation.oncall.handle: expected a handle such as oncall-sre (no @), got "@oncall-sre"',
    ]);
    expect(
      problemsWith({ oncall: ONCALL, ticketAfterMinutes: 20, pageAfterMinutes: 10, jira: { baseUrl: "https://j.example", projectKey: "OPS" }, pagerduty: {} }),
    ).toEqual(["escalation.pageAfterMinutes: expected more than ticketAfterMinutes (20): the page follows the ticket, got 10"]);
    expect(problemsWith({ oncall: ONCALL, pagerduty: { routingKeyEnv: "pd-key-123" } })).toEqual([
      'escalation.pagerduty.routingKeyEnv: expected an environment variable name (capitals, digits and _, e.g. JIRA_API_TOKEN), got "pd-key-123"',
    ]);
    expect(problemsWith({ oncall: ONCALL, ticketAfterMinutes: 0 })).toEqual([
      "escalation.ticketAfterMinutes: expected a number of minutes from 1 to 1440, got 0",
    ]);
  });
});
