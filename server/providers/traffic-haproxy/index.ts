/**
 * Traffic through HAProxy: the blue and green servers of one backend get their percent as weight through the
 * runtime API, the weight going up first; then both are read back, and only an exact match resolves. A refused
 * command stops at once and the error says what the load balancer holds now.
 */
import { ProviderError, splitFor, type SetWeightInput, type TrafficProvider, type TrafficSplit, type Colour } from "../types";
import { getWeightCommand, parseWeight, refusalOf, setWeightCommand, splitFromWeights, weightChanges } from "./commands";
import { describeAddress, withRuntimeApi, type RuntimeApiAddress, type Send } from "./runtime-api";

const PROVIDER = "traffic-haproxy";

export type HaproxyTrafficOptions = {
  backend: string;
  servers: Record<Colour, string>;
  /** Resolved at each call (env vars, SSH key file). */
  address: () => RuntimeApiAddress;
  timeoutMs: number;
};

export class HaproxyTrafficProvider implements TrafficProvider {
  constructor(private readonly options: HaproxyTrafficOptions) {}

  async setWeight({ region, colour, canaryPct, signal }: SetWeightInput): Promise<TrafficSplit> {
    if (!Number.isInteger(canaryPct) || canaryPct < 0 || canaryPct > 100) {
      throw new ProviderError(PROVIDER, `cannot send ${canaryPct} % to ${colour} in ${region}: expected a whole percent from 0 to 100`);
    }
    const wanted = splitFor(colour, canaryPct);
    const address = this.options.address();
    return withRuntimeApi(
      address,
      this.options.timeoutMs,
      async (send) => {
        const before = await this.readWeights(send, region);
        for (const change of weightChanges(before, wanted)) {
          const command = setWeightCommand(this.ref(change.colour), change.weight);
          const refusal = refusalOf(await send(command));
          if (refusal) {
            const now = await this.readWeights(send, region).catch(() => null);
            const holds = now ? `; it now holds blue weight ${now.blue} / green weight ${now.green}` : "";
            throw new ProviderError(PROVIDER, `HAProxy at ${describeAddress(address)} refused "${command}" for ${region}: ${refusal}${holds}`);
          }
        }
        const after = await this.readWeights(send, region);
        if (after.blue !== wanted.blue || after.green !== wanted.green) {
          throw new ProviderError(
            PROVIDER,
            `HAProxy at ${describeAddress(address)} reads back blue weight ${after.blue} / green weight ${after.green} for ${region}, expected ${wanted.blue} / ${wanted.green}`,
            true,
          );
        }
        return splitFromWeights(after.blue, after.green);
      },
      signal,
    );
  }

  async getWeight({ region, signal }: { region: string; signal?: AbortSignal }): Promise<TrafficSplit> {
    return withRuntimeApi(
      this.options.address(),
      this.options.timeoutMs,
      async (send) => {
        const w = await this.readWeights(send, region);
        return splitFromWeights(w.blue, w.green);
      },
      signal,
    );
  }

  private ref(colour: Colour) {
    return { backend: this.options.backend, server: this.options.servers[colour] };
  }

  private async readWeights(send: Send, region: string): Promise<{ blue: number; green: number }> {
    const read = async (colour: Colour) => {
      const command = getWeightCommand(this.ref(colour));
      const parsed = parseWeight(await send(command));
      if ("refused" in parsed) throw new ProviderError(PROVIDER, `HAProxy refused "${command}" for ${region} (${colour}): ${parsed.refused}`);
      return parsed.current;
    };
    return { blue: await read("blue"), green: await read("green") };
  }
}
