/**
 * The spec's example incident (EU West, canary at 25 %, error rate 1.2 % over the 0.8 % threshold, p95 420 ms
 * under its 450 ms threshold): the card `flightdeck notify test` sends, and a fixture for the builders' tests.
 */
import type { NotificationView } from "./notify-types";

export function exampleIncidentView(baseUrl = "http://localhost:3000", guideUrl?: string): NotificationView {
  const rolloutId = "example-rollout";
  const guide = guideUrl ?? `${baseUrl.replace(/\/$/, "")}/docs/debugging-guide`;
  return {
    kind: "incident",
    rolloutId,
    correlationId: "test-0000-example",
    service: "api",
    version: "1.4.2",
    regionName: "EU West",
    stagePercent: 25,
    oldColour: "blue",
    newColour: "green",
    cause: [{ metric: "error_rate", observed: 1.2, threshold: 0.8, unit: "%", baseline: 0.1, baselineAlsoBreaches: false }],
    errorRatePct: 1.2,
    latencyP95Ms: 420,
    rollbackTookMs: 4_000,
    links: { rollout: `${baseUrl.replace(/\/$/, "")}/rollouts/${rolloutId}`, guide: `${guide}#error-rate-breach` },
  };
}
