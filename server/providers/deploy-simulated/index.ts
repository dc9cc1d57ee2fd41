/**
 * Simulated deploys for the demo fleet: install the artifact on a colour after the region's configured number
 * of seconds (on the clock given, so virtual time skips the wait), verify the digest, answer health 200.
 */
import type { Clock } from "@/server/engine/clock";
import type { SimulatedWorld } from "../simulated-world";
import { ProviderError, type DeployInput, type DeployProvider, type DeployResult } from "../types";

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
      verified: { digest: artifact.digest, health: { url: `http://${colour}.${region}.simulated/health`, status: 200 } },
    };
  }
}
