/**
 * Traffic through nginx: over SSH on the load balancer host, write the upstream file for the new split, let
 * `nginx -t` judge it before `nginx -s reload`, then read the file back, all in one round trip. A rejected file
 * is never left in place: the old one goes back and the error carries nginx's own words.
 */
import { tail, withSsh, type SshTarget } from "../ssh-exec";
import { ProviderError, splitFor, type Colour, type SetWeightInput, type TrafficProvider, type TrafficSplit } from "../types";
import {
  applyUpstreamScript,
  NGINX_RELOAD_FAILED_EXIT,
  NGINX_TEST_FAILED_EXIT,
  parseUpstream,
  readbackOf,
  readUpstreamScript,
  renderUpstream,
} from "./upstream";

const PROVIDER = "traffic-nginx";

export type NginxTrafficOptions = {
  upstreamFile: string;
  upstream: string;
  /** Each colour's address in the upstream (host:port). */
  servers: Record<Colour, string>;
  nginxCommand: string;
  /** The load balancer host, resolved at each call. */
  ssh: () => SshTarget;
  timeoutMs: number;
};

export class NginxTrafficProvider implements TrafficProvider {
  constructor(private readonly options: NginxTrafficOptions) {}

  private get spec() {
    return { upstream: this.options.upstream, servers: this.options.servers };
  }

  async setWeight({ region, colour, canaryPct, signal }: SetWeightInput): Promise<TrafficSplit> {
    if (!Number.isInteger(canaryPct) || canaryPct < 0 || canaryPct > 100) {
      throw new ProviderError(PROVIDER, `cannot send ${canaryPct} % to ${colour} in ${region}: expected a whole percent from 0 to 100`);
    }
    const wanted = splitFor(colour, canaryPct);
    const o = this.options;
    const text = renderUpstream(this.spec, wanted);
    return withSsh(
      PROVIDER,
      o.ssh(),
      async (session) => {
        const result = await session.exec(applyUpstreamScript(o.upstreamFile, o.nginxCommand), {
          timeoutMs: o.timeoutMs,
          stdin: text,
          signal,
          what: "nginx -t and reload",
        });
        if (result.code === NGINX_TEST_FAILED_EXIT) {
          throw new ProviderError(
            PROVIDER,
            `nginx -t rejected the new upstream for ${region} on ${session.where}; the old ${o.upstreamFile} is back in place: ${tail(result.stderr)}`,
          );
        }
        if (result.code === NGINX_RELOAD_FAILED_EXIT) {
          throw new ProviderError(
            PROVIDER,
            `nginx -s reload failed for ${region} on ${session.where}; the old ${o.upstreamFile} is back in place: ${tail(result.stderr)}`,
            true,
          );
        }
        if (result.code !== 0)
          throw new ProviderError(
            PROVIDER,
            `replacing ${o.upstreamFile} on ${session.where} failed (exit ${result.code}): ${tail(result.stderr) || "(no output)"}`,
          );
        const back = this.parse(readbackOf(result.stdout) ?? "", session.where, region);
        if (back.blue !== wanted.blue || back.green !== wanted.green) {
          throw new ProviderError(
            PROVIDER,
            `${o.upstreamFile} on ${session.where} reads back blue ${back.blue} / green ${back.green} for ${region}, expected ${wanted.blue} / ${wanted.green}`,
            true,
          );
        }
        return toSplit(back);
      },
      signal,
    );
  }

  async getWeight({ region, signal }: { region: string; signal?: AbortSignal }): Promise<TrafficSplit> {
    return withSsh(
      PROVIDER,
      this.options.ssh(),
      async (session) => {
        const result = await session.run(readUpstreamScript(this.options.upstreamFile), {
          timeoutMs: this.options.timeoutMs,
          signal,
          what: `reading ${this.options.upstreamFile}`,
        });
        return toSplit(this.parse(result.stdout, session.where, region));
      },
      signal,
    );
  }

  private parse(text: string, where: string, region: string) {
    try {
      return parseUpstream(text, this.spec);
    } catch (err) {
      throw new ProviderError(PROVIDER, `${this.options.upstreamFile} on ${where} for ${region}: ${(err as Error).message}`);
    }
  }
}

function toSplit(w: { blue: number; green: number }): TrafficSplit {
  const sum = w.blue + w.green;
  if (sum === 0) throw new ProviderError(PROVIDER, "both blue and green are down in the upstream: nothing serves");
  const green = Math.round((w.green * 100) / sum);
  return { blue: 100 - green, green };
}
