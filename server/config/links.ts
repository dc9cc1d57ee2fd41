/**
 * Links to a region's dashboard and logs, from the config's URL templates (`regions[].links`), filled by one
 * function for every reader: cards, the rollout page and the region page. Placeholders: {region} {service}
 * {rolloutId} {correlationId} {from} {to}; one without a value is left as it is (the region page knows only
 * {region}). The time window is the card's: from the region's start (or 15 minutes before the moment looked at,
 * if earlier) to 5 minutes after that moment.
 */
import type { RegionConfig } from "./schema";

export type LinkContext = { rolloutId: string; serviceId: string; correlationId: string; from: number; to: number };

export const LINK_WINDOW_BEFORE_MS = 15 * 60_000;
export const LINK_WINDOW_AFTER_MS = 5 * 60_000;

/** The window around `at` (an event, or now for a running region), never starting after `startedAt`. */
export function linkWindow(startedAt: number, at: number): { from: number; to: number } {
  return { from: Math.min(startedAt, at - LINK_WINDOW_BEFORE_MS), to: at + LINK_WINDOW_AFTER_MS };
}

/** Fills the placeholders that have a value, each escaped for a URL. */
export function fillLink(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? encodeURIComponent(values[key]) : whole));
}

function linkValues(region: Pick<RegionConfig, "id">, ctx: LinkContext): Record<string, string> {
  return { region: region.id, service: ctx.serviceId, rolloutId: ctx.rolloutId, correlationId: ctx.correlationId, from: String(ctx.from), to: String(ctx.to) };
}

export function regionLinks(region: RegionConfig | undefined, ctx: LinkContext): { dashboard?: string; logs?: string } {
  if (!region) return {};
  const values = linkValues(region, ctx);
  return {
    ...(region.links.dashboard ? { dashboard: fillLink(region.links.dashboard, values) } : {}),
    ...(region.links.logs ? { logs: fillLink(region.links.logs, values) } : {}),
  };
}
