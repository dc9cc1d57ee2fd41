/**
 * A simulated load balancer per region: weights live in the shared world and are read back before reporting.
 * A `trafficErrors` fault makes it time out (a retryable error) on the next weight changes, as a real one may.
 */
import type { Clock } from "@/server/engine/clock";
import type { SimulatedWorld } from "../simulated-world";
import { ProviderError, splitFor, type SetWeightInput, type TrafficProvider, type TrafficSplit } from "../types";

export class SimulatedTrafficProvider implements TrafficProvider {
  constructor(
    private readonly world: SimulatedWorld,
    private readonly clock: Clock,
  ) {}

  async setWeight({ region, colour, canaryPct }: SetWeightInput): Promise<TrafficSplit> {
    if (!Number.isInteger(canaryPct) || canaryPct < 0 || canaryPct > 100) {
      throw new ProviderError("traffic-simulated", `cannot send ${canaryPct} % to ${colour} in ${region}: expected a whole percent from 0 to 100`);
    }
    const failure = this.world.takeTrafficFailure(region);
    if (failure) {
      const more = failure.left ? ` (simulated fault: ${failure.left} more to fail)` : " (simulated fault: the last one to fail)";
      throw new ProviderError(
        "traffic-simulated",
        `load balancer in ${region} timed out sending ${canaryPct} % to ${colour}; it still holds ${describe(this.world.weightOf(region))}${more}`,
        true,
      );
    }
    const wanted = splitFor(colour, canaryPct);
    this.world.setWeights(region, colour, canaryPct, wanted, this.clock.now());
    const back = await this.getWeight({ region });
    if (back.blue !== wanted.blue || back.green !== wanted.green) {
      throw new ProviderError(
        "traffic-simulated",
        `load balancer in ${region} reads back blue ${back.blue} % / green ${back.green} %, expected blue ${wanted.blue} % / green ${wanted.green} %`,
        true,
      );
    }
    this.world.trafficInPlace(region, colour, canaryPct);
    return back;
  }

  async getWeight({ region }: { region: string }): Promise<TrafficSplit> {
    return this.world.weightOf(region);
  }
}

const describe = (split: TrafficSplit) => `blue ${split.blue} % / green ${split.green} %`;
