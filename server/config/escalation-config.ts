/**
 * The config's `escalation` (docs/notifications.md#escalation): the spec's support path, Slack mention → P1 ticket
 * → page. Who incident cards mention, after how many minutes an unacknowledged incident opens a Jira ticket and
 * then pages through PagerDuty. Credentials only by environment variable name; every error names its field.
 */
import { z } from "zod";

const describe = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));
const text = z.string({ error: (iss) => `expected text, got ${describe(iss.input)}` }).min(1, { error: "must not be empty" });
// The same rule as schema.ts's envName (imported from there it would be a cycle: schema.ts imports this file).
const envName = z.string({ error: (iss) => `expected an environment variable name, got ${describe(iss.input)}` }).regex(/^[A-Z_][A-Z0-9_]*$/, {
  error: (iss) => `expected an environment variable name (capitals, digits and _, e.g. JIRA_API_TOKEN), got ${describe(iss.input)}`,
});
const minutes = z
  .number({ error: (iss) => `expected a number of minutes from 1 to 1440, got ${describe(iss.input)}` })
  .min(1, { error: (iss) => `expected a number of minutes from 1 to 1440, got ${describe(iss.input)}` })
  .max(1440, { error: (iss) => `expected a number of minutes from 1 to 1440, got ${describe(iss.input)}` });
const baseUrl = text.regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, {
  error: (iss) => `expected an http(s) base URL without query, got ${describe(iss.input)}`,
});

export const EscalationConfig = z
  .strictObject({
    /** Who incident cards mention: a Slack user group (`<!subteam^ID|@handle>`) and the handle in words (Teams). */
    oncall: z.strictObject({
      /** The Slack user group's id, e.g. S0123ABCD (Slack: the group's profile → Copy group ID). */
      slackUserGroupId: text.regex(/^S[A-Z0-9]{2,20}$/, { error: (iss) => `expected a Slack user group id such as S0123ABCD, got ${describe(iss.input)}` }),
      /** The handle as people know it, without the @: oncall-sre. */
      handle: text.regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, { error: (iss) => `expected a handle such as oncall-sre (no @), got ${describe(iss.input)}` }),
    }),
    /** An incident nobody acknowledged this long after its rollback opens a Jira ticket. */
    ticketAfterMinutes: minutes.default(15),
    /** ... and this long after it, pages through PagerDuty. */
    pageAfterMinutes: minutes.default(30),
    jira: z
      .strictObject({
        baseUrl,
        projectKey: text.regex(/^[A-Z][A-Z0-9_]{0,19}$/, { error: (iss) => `expected a Jira project key such as OPS, got ${describe(iss.input)}` }),
        issueType: text.default("Bug"),
        /** The priority's name in your Jira (the spec's P1). */
        priority: text.default("P1"),
        /** Jira Cloud: the account's email and an API token (Basic auth). Without emailEnv, the token is a bearer (Data Center's personal access token). */
        emailEnv: envName.optional(),
        apiTokenEnv: envName.default("JIRA_API_TOKEN"),
      })
      .optional(),
    pagerduty: z
      .strictObject({
        /** The integration key of an Events API v2 integration of the service to page. */
        routingKeyEnv: envName.default("PAGERDUTY_ROUTING_KEY"),
        eventsUrl: baseUrl.default("https://events.pagerduty.com"),
      })
      .optional(),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.pagerduty && cfg.jira && cfg.pageAfterMinutes <= cfg.ticketAfterMinutes)
      ctx.addIssue({
        code: "custom",
        path: ["pageAfterMinutes"],
        message: `expected more than ticketAfterMinutes (${cfg.ticketAfterMinutes}): the page follows the ticket, got ${cfg.pageAfterMinutes}`,
      });
  });
export type EscalationConfig = z.infer<typeof EscalationConfig>;
