/**
 * Check before repeating: an effect interrupted after it acted and before it was recorded (a crash between the
 * two) may already hold. Before the step runs again the world is asked: the load balancer for a weight change,
 * the host for a deploy. When the target holds, the step is recorded done with what was read, and nothing is
 * moved back, re-installed or restarted.
 */
import { alreadyDeployed, splitFor, type DeployVerification, type RegionProviders, type TrafficSplit } from "@/server/providers/types";
import type { Effect } from "@/server/engine/machine/types";
import type { RegionRolloutContext } from "../store/load";

/** What an effect reports, whether it ran or was found done. */
export type EffectReport = { split?: TrafficSplit; log?: string[]; verified?: DeployVerification };

export async function findDone(providers: RegionProviders, ctx: RegionRolloutContext, effect: Effect, signal?: AbortSignal): Promise<EffectReport | null> {
  const region = ctx.row.regionId;
  const correlationId = ctx.rollout.correlationId;
  if (effect.kind === "deploy") {
    const { version, digest, url } = ctx.artifact;
    const status = await providers.deploy.status({ region, colour: effect.colour, artifact: { version, digest, url }, correlationId, signal });
    const verified = alreadyDeployed(status, { version, digest, url });
    if (!verified) return null;
    const health = verified.health ? `, ${verified.health.url} answered 200` : "";
    return {
      log: [`after a restart: ${version} (${digest}) was found installed, current and restarted on ${effect.colour} in ${region}${health}; not deployed again`],
      verified,
    };
  }
  const held = await providers.traffic.getWeight({ region, correlationId, signal });
  const target = splitFor(effect.colour, effect.canaryPct);
  return held.blue === target.blue && held.green === target.green ? { split: held } : null;
}
