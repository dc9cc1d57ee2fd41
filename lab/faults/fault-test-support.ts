/**
 * What the provider-fault tests share: a rollout of one region of the lab, a region's config to point at a
 * fault front, and the state a failure message names when a wait runs out.
 */
import { buildArtifact } from "@/lab/artifacts";
import { waitFor, type LabFlightdeck } from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import type { FleetConfig } from "@/server/config/schema";
import { eventsOf, regionRolloutOf } from "@/server/engine/runner/test-fixtures";
import { startRollout } from "@/server/services/rollouts";

/** A rollout of `region` alone, of a good build of `version`. */
export async function rollOutRegion(fd: LabFlightdeck, lab: RunningLab, dir: string, region: string, version: string) {
  const built = buildArtifact({ version }, { dir, baseUrl: lab.artifactsUrl });
  const started = await startRollout(fd.as(), {
    serviceId: "api",
    artifact: {
      version,
      digest: built.digest,
      url: built.url,
      sourceRef: "refs/heads/main",
      commitSha: "0123456789abcdef0123456789abcdef01234567",
    },
    strategy: "sequential",
    regions: [region],
  });
  const row = () => regionRolloutOf(fd.db, started.rolloutId, region);
  const ref = { rolloutId: started.rolloutId, regionId: region };
  const state = () => ({ phase: row().phase, stage: row().stageIndex, pct: row().canaryPct, verdict: row().lastVerdict, paused: row().pauseReason });
  const events = (type: string) => eventsOf(fd.db, { type, regionId: region }).filter((e) => e.rolloutId === started.rolloutId);
  /** Wait until the region stands at `pct` with a passing sample (a stage may be promoted only then). */
  const passingAt = (pct: number, timeoutMs = 30_000) =>
    waitFor(`${region} at ${pct} % with a passing sample`, () => row().canaryPct === pct && row().lastVerdict === "pass", timeoutMs, state);
  return { started, row, ref, state, events, passingAt };
}

/** A region of a parsed config, to point one of its providers at a fault front before Flightdeck starts. */
export function regionOf(config: FleetConfig, region: string): FleetConfig["regions"][number] {
  const found = config.regions.find((r) => r.id === region);
  if (!found) throw new Error(`the lab config has no region ${region}`);
  return found;
}
