/**
 * The form of a Slack or Teams webhook URL, judged without posting (posting is `flightdeck notify test`). A
 * webhook URL's path and query are its secret, so every verdict names the variable and the host only. The forms
 * are the ones each service hands out: Slack's incoming webhooks, Teams' Workflows (Power Automate) triggers
 * and its older Office 365 connectors; any other https host is a warning (a relay may be meant).
 */
import { isIP } from "node:net";

export type UrlVerdict = { status: "ok" | "warn" | "fail"; detail: string };

const SLACK_HOSTS = new Set(["hooks.slack.com", "hooks.slack-gov.com"]);
const SLACK_PATH = /^\/(services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}|(workflows|triggers)\/[A-Z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/?[A-Za-z0-9]*)$/;
const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TEAMS_CONNECTOR_PATH = new RegExp(`^/webhookb2/${GUID}@${GUID}/IncomingWebhook/[0-9a-f]{32}/${GUID}(/[A-Za-z0-9_-]+)?$`, "i");
const WORKFLOW_PATH = /\/workflows\/[0-9a-f]+\/triggers\/[A-Za-z0-9_]+\/paths\/invoke$/i;

const isLoopback = (host: string) => host === "localhost" || (isIP(host.replace(/^\[|\]$/g, "")) !== 0 && /^(127\.|\[?::1\]?$)/.test(host));

export function webhookUrlForm(kind: "slack" | "teams", variable: string, value: string | undefined): UrlVerdict {
  if (!value) return { status: "fail", detail: `${variable} is not set` };
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { status: "fail", detail: `${variable} is not a URL` };
  }
  const host = url.hostname.toLowerCase();
  if (url.username || url.password) return { status: "fail", detail: `${variable} carries a user name or password (${host}); webhook URLs have none` };
  if (url.protocol === "http:" && isLoopback(host))
    return { status: "warn", detail: `${variable} is a plain-http URL on this machine (${url.host}): a test receiver, not ${kind}` };
  if (url.protocol !== "https:") return { status: "fail", detail: `${variable} is not an https URL (${url.protocol.slice(0, -1)}://${url.host})` };
  const verdict = kind === "slack" ? slackForm(url, host) : teamsForm(url, host);
  return { status: verdict.status, detail: `${variable}: ${verdict.detail}` };
}

function slackForm(url: URL, host: string): UrlVerdict {
  if (!SLACK_HOSTS.has(host))
    return { status: "warn", detail: `points at ${host}, not hooks.slack.com: fine for a relay, otherwise paste Slack's incoming webhook URL` };
  if (url.search) return { status: "fail", detail: `a Slack webhook URL has no query string (${host}); paste it again from Slack` };
  if (!SLACK_PATH.test(url.pathname))
    return { status: "fail", detail: `not a Slack incoming webhook path (${host}/services/T…/B…/<secret>): is it cut short? paste it again from Slack` };
  return { status: "ok", detail: `a Slack incoming webhook URL (${host})` };
}

function teamsForm(url: URL, host: string): UrlVerdict {
  if (host.endsWith(".webhook.office.com") || host === "outlook.office.com") {
    if (!TEAMS_CONNECTOR_PATH.test(url.pathname))
      return { status: "fail", detail: `not a Teams connector path (${host}/webhookb2/…/IncomingWebhook/…): is it cut short?` };
    return { status: "warn", detail: `a Teams Office 365 connector URL (${host}); Microsoft is retiring connectors: move the channel to a Workflows webhook` };
  }
  if (host.endsWith(".logic.azure.com") || host.endsWith(".api.powerplatform.com")) {
    if (!WORKFLOW_PATH.test(url.pathname))
      return { status: "fail", detail: `not a Workflows trigger path (${host}/…/workflows/<id>/triggers/manual/paths/invoke)` };
    const missing = ["api-version", "sig"].filter((p) => !url.searchParams.get(p));
    if (missing.length)
      return { status: "fail", detail: `a Workflows URL without ${missing.join(" and ")} in its query (${host}): the query was lost when it was copied` };
    return { status: "ok", detail: `a Teams Workflows webhook URL (${host})` };
  }
  return { status: "warn", detail: `points at ${host}, not a Teams webhook host (*.logic.azure.com, *.webhook.office.com): fine for a relay` };
}
