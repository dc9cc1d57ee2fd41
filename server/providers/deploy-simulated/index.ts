/**
 * Simulated deploys for the demo fleet: install the artifact on a colour after the region's configured number
 * of seconds (on the clock given, so virtual time skips the wait), verify the digest, answer health 200. The
 * world records an install only once it is complete, so what it holds is current, restarted and healthy.
 */
import type { Clock } from "@/server/engine/clock";
import type { SimulatedWorld } from "../simulated-world";
import { ProviderError, type DeployInput, type DeployProvider, type DeployResult, type DeployStatus } from "../types";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class SimulatedDeployProvider implements DeployProvider {
  constructor(
    private readonly world: SimulatedWorld,
    private readonly clock: Clock,
    private readonly options: { seconds: number },
  ) {}

  async deploy({ region, colour, artifact, correlationId, signal }: DeployInput): Promise<DeployResult> {
    if (!DIGEST.test(artifact.digest)) {
      throw new ProviderError(
        "deploy-simulated",
        `cannot deploy ${artifact.version} to ${colour} in ${region}: digest ${artifact.digest} is not sha256:<64 hex>`,
      );
    }
    const startedAt = this.clock.now();
    await this.clock.sleep(this.options.seconds * 1000, signal);
    const at = this.clock.now();
    this.world.install({ region, colour, version: artifact.version, digest: artifact.digest, correlationId, at }, artifact);
    const onHost = this.world.installedOn(region, colour);
    if (onHost?.digest !== artifact.digest) {
      throw new ProviderError(
        "deploy-simulated",
        `digest mismatch on ${colour} in ${region}: expected ${artifact.digest}, found ${onHost?.digest ?? "nothing"}`,
      );
    }
    return {
      log: [
        `installed ${artifact.version} on ${colour} in ${region} in ${Math.round((at - startedAt) / 1000)} s`,
        `digest verified: ${artifact.digest}`,
        `health check: 200 OK`,
      ],
      verified: { digest: artifact.digest, health: { url: healthUrl(region, colour), status: 200 } },
    };
  }

  async status({ region, colour }: DeployInput): Promise<DeployStatus> {
    const onHost = this.world.installedOn(region, colour);
    return {
      current: onHost && { version: onHost.version, digest: onHost.digest },
      restarted: onHost !== null,
      health: { url: healthUrl(region, colour), status: onHost ? 200 : null },
    };
  }
}

const healthUrl = (region: string, colour: string) => `http://${colour}.${region}.simulated/health`;
