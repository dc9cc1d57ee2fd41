/**
 * Traffic through Cloudflare: a DNS record switched between the colours' hosts (plain blue/green), or the pool
 * weights of a load balancer with random steering (canary stages). Every change is read back with a GET and
 * resolves only when Cloudflare holds what was asked.
 */
import { traceHeaders } from "../trace-headers";
import { ProviderError, splitFor, type Colour, type GetWeightInput, type SetWeightInput, type TrafficProvider, type TrafficSplit } from "../types";
import { CloudflareApi } from "./api";
import {
  colourOfRecord,
  dnsRecordPath,
  dnsSplitFor,
  dnsSwitchBody,
  loadBalancerPath,
  poolWeightsBody,
  poolWeightsFor,
  readPoolWeights,
  splitFromPoolWeights,
  type DnsRecord,
  type LoadBalancer,
} from "./payloads";

const PROVIDER = "traffic-cloudflare";

export type CloudflareTrafficOptions = {
  mode: "dns" | "load-balancer";
  apiBaseUrl: string;
  /** Resolved at each call: zone id, token and record id come from env vars; hosts may too. */
  credentials: () => { zoneId: string; token: string; recordId?: string };
  hosts: () => Record<Colour, string>;
  poolIds?: Record<Colour, string>;
  loadBalancerId?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
};

export class CloudflareTrafficProvider implements TrafficProvider {
  constructor(private readonly options: CloudflareTrafficOptions) {}

  private api(correlationId?: string): { api: CloudflareApi; zoneId: string; recordId?: string } {
    const { zoneId, token, recordId } = this.options.credentials();
    return {
      api: new CloudflareApi(this.options.apiBaseUrl, token, this.options.timeoutMs, this.options.fetch, traceHeaders(correlationId)),
      zoneId,
      recordId,
    };
  }

  async setWeight({ region, colour, canaryPct, correlationId, signal }: SetWeightInput): Promise<TrafficSplit> {
    if (!Number.isInteger(canaryPct) || canaryPct < 0 || canaryPct > 100) {
      throw new ProviderError(PROVIDER, `cannot send ${canaryPct} % to ${colour} in ${region}: expected a whole percent from 0 to 100`);
    }
    return this.options.mode === "dns"
      ? this.switchRecord(region, colour, canaryPct, signal, correlationId)
      : this.setPoolWeights(region, colour, canaryPct, signal, correlationId);
  }

  async getWeight({ region, correlationId, signal }: GetWeightInput): Promise<TrafficSplit> {
    const { api, zoneId, recordId } = this.api(correlationId);
    if (this.options.mode === "dns") {
      const record = await api.get<DnsRecord>(dnsRecordPath(zoneId, this.recordIdOf(recordId)), signal);
      return this.splitOfRecord(record, region);
    }
    const lb = await api.get<LoadBalancer>(loadBalancerPath(zoneId, this.loadBalancerId()), signal);
    const w = readPoolWeights(lb, this.poolIds());
    return splitFromPoolWeights(w.blue, w.green);
  }

  private async switchRecord(region: string, colour: Colour, canaryPct: number, signal?: AbortSignal, correlationId?: string): Promise<TrafficSplit> {
    const wanted = dnsSplitFor(colour, canaryPct);
    const target: Colour = wanted.blue === 100 ? "blue" : "green";
    const content = this.options.hosts()[target];
    const { api, zoneId, recordId } = this.api(correlationId);
    const path = dnsRecordPath(zoneId, this.recordIdOf(recordId));
    await api.patch<DnsRecord>(path, dnsSwitchBody(content), signal);
    const back = this.splitOfRecord(await api.get<DnsRecord>(path, signal), region);
    if (back.blue !== wanted.blue) {
      throw new ProviderError(
        PROVIDER,
        `the DNS record for ${region} reads back blue ${back.blue} % / green ${back.green} % after pointing it at ${target} (${content})`,
        true,
      );
    }
    return back;
  }

  private async setPoolWeights(region: string, colour: Colour, canaryPct: number, signal?: AbortSignal, correlationId?: string): Promise<TrafficSplit> {
    const wanted = splitFor(colour, canaryPct);
    const weights = poolWeightsFor(wanted.green);
    if (!weights) {
      throw new ProviderError(
        PROVIDER,
        `Cloudflare pool weights go in steps of 0.1, and no two of them give green ${wanted.green} % exactly; use stages such as 10, 20, 25, 50, 75, 100`,
      );
    }
    const { api, zoneId } = this.api(correlationId);
    const path = loadBalancerPath(zoneId, this.loadBalancerId());
    const poolIds = this.poolIds();
    const current = await api.get<LoadBalancer>(path, signal);
    await api.patch<LoadBalancer>(path, poolWeightsBody(current.random_steering, poolIds, weights), signal);
    const back = readPoolWeights(await api.get<LoadBalancer>(path, signal), poolIds);
    if (back.blue !== weights.blue || back.green !== weights.green) {
      throw new ProviderError(
        PROVIDER,
        `load balancer for ${region} reads back pool weights blue ${back.blue} / green ${back.green}, expected ${weights.blue} / ${weights.green}`,
        true,
      );
    }
    return splitFromPoolWeights(back.blue, back.green);
  }

  private splitOfRecord(record: DnsRecord, region: string): TrafficSplit {
    const hosts = this.options.hosts();
    const colour = colourOfRecord(record, hosts);
    if (!colour)
      throw new ProviderError(
        PROVIDER,
        `the DNS record ${record.name} for ${region} points at ${record.content}: neither blue (${hosts.blue}) nor green (${hosts.green})`,
      );
    return splitFor(colour, 100);
  }

  private recordIdOf(recordId: string | undefined): string {
    if (!recordId) throw new ProviderError(PROVIDER, "no DNS record id: set the variable named by recordIdEnv (CF_RECORD_ID_API)");
    return recordId;
  }

  private loadBalancerId(): string {
    if (!this.options.loadBalancerId) throw new ProviderError(PROVIDER, "mode load-balancer needs loadBalancerId in the config");
    return this.options.loadBalancerId;
  }

  private poolIds(): Record<Colour, string> {
    if (!this.options.poolIds) throw new ProviderError(PROVIDER, "mode load-balancer needs poolIds { blue, green } in the config");
    return this.options.poolIds;
  }
}
