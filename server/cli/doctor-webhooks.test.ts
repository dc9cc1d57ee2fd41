import { describe, expect, it } from "vitest";
import { webhookUrlForm } from "./doctor-webhooks";

const SLACK = "https://hooks.slack.com/services/T0A1B2C3D/B0E1F2G3H/abcdefghijklmnopqrstuvwx";
const WORKFLOW =
  "https://prod-07.westeurope.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3tSignatureValue";
const CONNECTOR =
  "https://contoso.webhook.office.com/webhookb2/11111111-2222-3333-4444-555555555555@66666666-7777-8888-9999-000000000000/IncomingWebhook/0123456789abcdef0123456789abcdef/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

describe("a webhook URL's form, judged without posting", () => {
  it.each([
    ["slack", SLACK, "ok", /^HOOK: a Slack incoming webhook URL \(hooks\.slack\.com\)$/],
    ["slack", "https://hooks.slack.com/services/T0A1B2C3D/abcdefghijklmnopqrstuvwx", "fail", /not a Slack incoming webhook path .*cut short/],
    ["slack", `${SLACK}?x=1`, "fail", /has no query string/],
    ["slack", SLACK.replace("https:", "http:"), "fail", /^HOOK is not an https URL \(http:\/\/hooks\.slack\.com\)$/],
    ["slack", "https://relay.example.com/slack/abcdef", "warn", /points at relay\.example\.com, not hooks\.slack\.com/],
    ["slack", "hooks.slack.com/services/T0A1B2C3D/B0E1F2G3H/abcdefghijklmnopqrstuvwx", "fail", /^HOOK is not a URL$/],
    ["slack", "https://user:pw@hooks.slack.com/services/T0A1B2C3D/B0E1F2G3H/abcdefghijklmnopqrstuvwx", "fail", /carries a user name or password/],
    ["slack", "http://127.0.0.1:4000/hook", "warn", /plain-http URL on this machine \(127\.0\.0\.1:4000\): a test receiver/],
    ["teams", WORKFLOW, "ok", /a Teams Workflows webhook URL \(prod-07\.westeurope\.logic\.azure\.com\)$/],
    ["teams", WORKFLOW.replace(/&sig=.*$/, ""), "fail", /a Workflows URL without sig in its query/],
    ["teams", WORKFLOW.replace(/\?.*$/, ""), "fail", /without api-version and sig in its query/],
    ["teams", WORKFLOW.replace("/paths/invoke", ""), "fail", /not a Workflows trigger path/],
    ["teams", CONNECTOR, "warn", /Teams Office 365 connector URL \(contoso\.webhook\.office\.com\); Microsoft is retiring connectors/],
    ["teams", CONNECTOR.slice(0, 90), "fail", /not a Teams connector path/],
    ["teams", SLACK, "warn", /points at hooks\.slack\.com, not a Teams webhook host/],
    ["teams", undefined, "fail", /^HOOK is not set$/],
  ] as const)("%s %s: %s", (kind, value, status, detail) => {
    const verdict = webhookUrlForm(kind, "HOOK", value);
    expect(verdict).toEqual({ status, detail: expect.stringMatching(detail) });
    // The path and query are the secret: never in the verdict.
    for (const secret of ["abcdefghijklmnopqrstuvwx", "s3cr3tSignatureValue", "0123456789abcdef0123456789abcdef"]) expect(verdict.detail).not.toContain(secret);
  });
});
