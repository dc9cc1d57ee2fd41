/**
 * Links on cards: the rollout page, the approval page, the region's dashboard and logs (URL templates from the
 * config with {region} {service} {rolloutId} {correlationId} {from} {to}) and the debugging guide's section.
 */
import type { FleetConfig } from "@/server/config/schema";
import type { CauseItem } from "@/server/engine/machine/types";

/** Anchors of docs/debugging-guide.md; the cards link to them, so they are kept stable. */
export const GUIDE_ANCHORS = {
  error_rate: "error-rate-breach",
  latency_p95: "latency-breach",
  cpu: "cpu-memory-breach",
  memory: "cpu-memory-breach",
  health: "health-check-failure",
  inconclusive: "inconclusive-analysis",
  environment: "environment-problem",
  deploy: "deploy-failure",
  traffic: "load-balancer-failure",
  rollbackRetrying: "rollback-retrying",
  prometheus: "prometheus-failure",
} as const;
export type GuideAnchor = (typeof GUIDE_ANCHORS)[keyof typeof GUIDE_ANCHORS];

const trim = (url: string) => url.replace(/\/+$/, "");

export function guideLink(config: FleetConfig, anchor: GuideAnchor): string {
  const base = config.notifications.debuggingGuideUrl ?? `${trim(config.baseUrl)}/docs/debugging-guide`;
  return `${base.split("#")[0]}#${anchor}`;
}

export function anchorForCause(cause: CauseItem[]): GuideAnchor {
  return cause.length > 0 ? GUIDE_ANCHORS[cause[0].metric] : GUIDE_ANCHORS.error_rate;
}

/** The region's dashboard and logs: one template function for cards and pages (server/config/links.ts). */
export { regionLinks, type LinkContext } from "@/server/config/links";

export const rolloutLink = (config: FleetConfig, rolloutId: string) => `${trim(config.baseUrl)}/rollouts/${encodeURIComponent(rolloutId)}`;
export const approvalsLink = (config: FleetConfig) => `${trim(config.baseUrl)}/approvals`;
