/**
 * Grafana annotations as plain data (POST /api/annotations). Times are unix ms, as Grafana wants. Tags are
 * `key:value` strings so a dashboard can filter on any of them (`region:eu-west`, `correlation_id:<id>`).
 */
export type Annotation = { time: number; timeEnd?: number; text: string; tags: string[] };

export type AnnotationFacts = {
  service: string;
  version: string;
  correlationId: string;
  regionId: string | null;
  /** The canary stage in effect, when there is one. */
  stagePercent: number | null;
  /** The event type, e.g. `stage.passed`. */
  event: string;
};

export function annotationTags(f: AnnotationFacts): string[] {
  return [
    "flightdeck",
    `event:${f.event}`,
    `service:${f.service}`,
    `version:${f.version}`,
    ...(f.regionId ? [`region:${f.regionId}`] : []),
    ...(f.stagePercent !== null ? [`stage:${f.stagePercent}%`] : []),
    `correlation_id:${f.correlationId}`,
  ];
}

/** A point annotation for one event. */
export function buildEventAnnotation(at: number, text: string, facts: AnnotationFacts): Annotation {
  return { time: at, text, tags: annotationTags(facts) };
}

/** A region's whole rollout: created at its start, given its end later (or at once, with `endAt`). */
export function buildRegionAnnotation(startAt: number, facts: Omit<AnnotationFacts, "event" | "stagePercent">, endAt?: number): Annotation {
  return {
    time: startAt,
    ...(endAt !== undefined ? { timeEnd: Math.max(startAt, endAt) } : {}),
    text: `${facts.service} ${facts.version} rollout in ${facts.regionId ?? "?"}`,
    tags: annotationTags({ ...facts, event: "region.rollout", stagePercent: null }),
  };
}

/** The id in Grafana's answer to a create (`{ "id": 1, "message": "Annotation added" }`), or null. */
export function annotationIdOf(body: string): number | null {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === "number" && Number.isInteger(id) ? id : null;
  } catch {
    return null;
  }
}
