import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { RegionOverview, RegionSamples } from "@/server/services/overview";
import { RegionCard } from "./region-card";

const region = (samples: RegionSamples | null): RegionOverview => ({
  regionId: "eu-west",
  name: "EU West",
  environment: "production-eu-west",
  liveColour: "blue",
  liveArtifact: null,
  greenPct: 25,
  bluePct: 75,
  activeRollout: null,
  samples,
  lastEvent: null,
  neverRolledOut: false,
  rollback: { possible: false, serviceId: "api", regionId: "eu-west", reason: "No rollout of API has reached eu-west yet: there is nothing to roll back." },
});

const series = (past: boolean): RegionSamples => ({
  regionRolloutId: "rr_1",
  rolloutId: "ro_1",
  version: "1.1.0",
  past,
  maxErrorRatePct: 0.8,
  maxLatencyP95Ms: 450,
  samples: [
    { at: 1, stageIndex: 0, verdict: "pass", errorRatePct: 0.3, latencyP95Ms: 210, maxErrorRatePct: 1, maxLatencyP95Ms: 500 },
    { at: 2, stageIndex: 1, verdict: "pass", errorRatePct: 0.42, latencyP95Ms: 231.6, maxErrorRatePct: 0.8, maxLatencyP95Ms: 450 },
  ],
});

const render = (samples: RegionSamples | null) => renderToStaticMarkup(createElement(RegionCard, { region: region(samples) }));
/** The card's rows by their labels, in order: the layout a live update must not change. */
const rowsOf = (html: string) => [...html.matchAll(/<dt[^>]*>([^<]*)<\/dt>/g)].map((m) => m[1]);

describe("RegionCard", () => {
  it("shows the error rate and p95 of the running rollout against the current stage's limits", () => {
    const html = render(series(false));
    expect(html).toContain(">0.42 % / max 0.8 %<");
    expect(html).toContain(">232 ms / max 450 ms<");
    expect(html).toContain(">last 2 canary samples of this rollout<");
  });

  it("says when the samples are those of the finished rollout", () => {
    expect(render(series(true))).toContain(">2 canary samples of the finished rollout of 1.1.0<");
  });

  it("links the running rollout from its phase, and shows no rollback control to a user whose roles do not allow it", () => {
    const running = {
      ...region(series(false)),
      activeRollout: {
        regionRolloutId: "rr_1",
        rolloutId: "ro_1",
        phase: "canary" as const,
        stageIndex: 1,
        stageCount: 5,
        stagePercent: 25,
        canaryPct: 25,
        paused: false,
        pauseReason: null,
        toColour: "green" as const,
        artifactVersion: "1.4.2",
      },
    };
    const html = renderToStaticMarkup(createElement(RegionCard, { region: running }));
    expect(html).toMatch(/<a data-testid="rollout-link-eu-west"[^>]* href="\/rollouts\/ro_1">Canary 25 % · stage 2 of 5<\/a>/);
    expect(html).not.toContain("Roll back");
  });

  it("keeps the same rows with no samples at all, so the first sample moves nothing", () => {
    const empty = render(null);
    expect(empty.match(/no samples yet/g)).toHaveLength(2);
    expect(rowsOf(empty)).toEqual(["Artifact", "Traffic", "Rollout", "Errors", "p95", "Samples"]);
    expect(rowsOf(render(series(false)))).toEqual(rowsOf(empty));
  });
});
