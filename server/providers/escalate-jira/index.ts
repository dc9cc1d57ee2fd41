/**
 * Jira's REST API: open an incident's ticket (`POST /rest/api/2/issue`) and look for one already opened
 * (`GET /rest/api/2/search`). Never throws: the answer comes back for the outbox sender to judge and retry.
 */
import { sendRequest, type WebhookAnswer } from "../notify-webhook";
import { traceHeaders } from "../trace-headers";
import { jiraAuthorization } from "./payload";

export { buildJiraIssue, foundIssueKeyOf, incidentLabel, issueKeyOf, issueUrl, searchPath, type IncidentFacts, type JiraIssueConfig } from "./payload";

export type JiraOptions = { baseUrl: string; apiToken: string; email?: string; timeoutMs: number; correlationId?: string | null; fetchImpl?: typeof fetch };

function call(opts: JiraOptions, method: string, path: string, body?: unknown): Promise<WebhookAnswer> {
  return sendRequest(
    opts.baseUrl.replace(/\/+$/, "") + path,
    { method, ...(body !== undefined ? { body: JSON.stringify(body), contentType: "application/json" } : {}) },
    {
      timeoutMs: opts.timeoutMs,
      fetchImpl: opts.fetchImpl,
      headers: { authorization: jiraAuthorization(opts.apiToken, opts.email), accept: "application/json", ...traceHeaders(opts.correlationId) },
    },
  );
}

export function createIssue(opts: JiraOptions, issue: unknown): Promise<WebhookAnswer> {
  return call(opts, "POST", "/rest/api/2/issue", issue);
}

export function searchIssues(opts: JiraOptions, path: string): Promise<WebhookAnswer> {
  return call(opts, "GET", path);
}
