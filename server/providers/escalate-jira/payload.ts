/**
 * Jira's REST API v2 as Flightdeck's escalation uses it: the body of `POST /rest/api/2/issue` for an incident
 * nobody acknowledged (project, issue type, the configured priority, summary, a description with the cause,
 * links and correlation id, and a label naming the incident), the search that finds an issue already opened
 * for it (after a send that may have arrived), and the answers' parsing. Pure.
 */

/** What a ticket says about an incident: the card's words, the links, the ids. */
export type IncidentFacts = {
  incidentId: string;
  summary: string;
  /** The card's facts as "Label: value" lines (cause, stage, measures, release). */
  lines: string[];
  links: Array<{ text: string; href: string }>;
  correlationId: string;
  rolloutId: string;
  regionId: string;
  serviceId: string;
};

export type JiraIssueConfig = { projectKey: string; issueType: string; priority: string };

const SUMMARY_MAX = 255;

/** The label Jira keeps on the issue: one incident, one label, so a repeat finds it (labels take no spaces). */
export const incidentLabel = (incidentId: string) => incidentId.replace(/[^A-Za-z0-9_.-]/g, "-");

export function buildJiraIssue(config: JiraIssueConfig, facts: IncidentFacts, afterMinutes: number) {
  const description = [
    `Nobody acknowledged this Flightdeck incident within ${afterMinutes} minutes, so it was escalated (the support path: Slack mention → P1 ticket → page).`,
    "",
    ...facts.lines,
    "",
    ...facts.links.map((l) => `${l.text}: ${l.href}`),
    "",
    `Incident: ${facts.incidentId}`,
    `Rollout: ${facts.rolloutId} (region ${facts.regionId}, service ${facts.serviceId})`,
    `Correlation ID: ${facts.correlationId}`,
    `Acknowledge: flightdeck ack ${facts.rolloutId} --region ${facts.regionId}`,
  ].join("\n");
  return {
    fields: {
      project: { key: config.projectKey },
      issuetype: { name: config.issueType },
      priority: { name: config.priority },
      summary: facts.summary.slice(0, SUMMARY_MAX),
      description,
      labels: ["flightdeck", incidentLabel(facts.incidentId)],
    },
  };
}

/** The search for an issue already opened for this incident: `GET /rest/api/2/search?jql=…`. */
export function searchPath(incidentId: string): string {
  const jql = `labels = "${incidentLabel(incidentId)}" ORDER BY created ASC`;
  return `/rest/api/2/search?${new URLSearchParams({ jql, fields: "key", maxResults: "1" }).toString()}`;
}

/** The key Jira answered (`{ "id": "10001", "key": "OPS-42", "self": … }`), or null. */
export function issueKeyOf(body: string): string | null {
  try {
    const key = (JSON.parse(body) as { key?: unknown }).key;
    return typeof key === "string" && key ? key : null;
  } catch {
    return null;
  }
}

/** The first issue key of a search answer (`{ "issues": [{ "key": "OPS-42" }] }`), or null when none. */
export function foundIssueKeyOf(body: string): string | null {
  try {
    const issues = (JSON.parse(body) as { issues?: Array<{ key?: unknown }> }).issues;
    const key = Array.isArray(issues) ? issues[0]?.key : undefined;
    return typeof key === "string" && key ? key : null;
  } catch {
    return null;
  }
}

export function jiraAuthorization(apiToken: string, email: string | undefined): string {
  return email ? `Basic ${Buffer.from(`${email}:${apiToken}`).toString("base64")}` : `Bearer ${apiToken}`;
}

export const issueUrl = (baseUrl: string, key: string) => `${baseUrl.replace(/\/+$/, "")}/browse/${encodeURIComponent(key)}`;
