/**
 * Links on cards: the rollout page, the approval page, the region's dashboard and logs (URL templates from the
 * config with {region} {service} {rolloutId} {correlationId} {from} {to}) and the debugging guide's section.
 */
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
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

export type LinkContext = { rolloutId: string; serviceId: string; correlationId: string; from: number; to: number };

export function fillTemplate(template: string, region: RegionConfig, ctx: LinkContext): string {
  const values: Record<string, string> = {
    region: region.id,
    service: ctx.serviceId,
    rolloutId: ctx.rolloutId,
    correlationId: ctx.correlationId,
    from: String(ctx.from),
    to: String(ctx.to),
  };
  return template.replace(/\{(region|service|rolloutId|correlationId|from|to)\}/g, (_, key: string) => encodeURIComponent(values[key]));
}

export function regionLinks(region: RegionConfig | undefined, ctx: LinkContext): { dashboard?: string; logs?: string } {
  if (!region) return {};
  return {
    ...(region.links.dashboard ? { dashboard: fillTemplate(region.links.dashboard, region, ctx) } : {}),
    ...(region.links.logs ? { logs: fillTemplate(region.links.logs, region, ctx) } : {}),
  };
}

export const rolloutLink = (config: FleetConfig, rolloutId: string) => `${trim(config.baseUrl)}/rollouts/${encodeURIComponent(rolloutId)}`;
export const approvalsLink = (config: FleetConfig) => `${trim(config.baseUrl)}/approvals`;
