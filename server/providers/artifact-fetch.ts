/**
 * The one place the Flightdeck server itself downloads a URL a deployer gave it (upload-mode deploys). Such a
 * URL is attacker-chosen input, so the fetch is guarded:
 * - the name is resolved first and every address it resolves to is checked: loopback, link-local (cloud
 *   metadata), private and other internal ranges are refused unless `artifactFetch.allowPrivateAddresses`;
 *   the connection then goes to the address that was checked, so a second DNS answer cannot switch it
 *   (DNS rebinding);
 * - a redirect may stay on the URL's host or go to a host in `artifactFetch.redirectHosts`, never from https
 *   to http, at most 5 times; each hop is checked as above;
 * - the whole fetch ends at the deploy's time limit;
 * - a body larger than `artifactFetch.maxBytes` is refused by its Content-Length, and cut off when the bytes
 *   streamed pass the limit (a server may lie or send no length).
 * Messages show the URL without its query string (a presigned URL's signature is a credential).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { lookup as dnsLookup } from "node:dns/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { abortError } from "@/server/engine/clock";
import { redactUrl } from "@/server/redact-url";
import { classifyAddress } from "./network-address";
import { ProviderError } from "./types";

export type ArtifactFetchPolicy = {
  /** Refuse a body larger than this (default 2 GiB). */
  maxBytes: number;
  /** Allow loopback, link-local and private addresses: all (`true`, the lab serves artifacts on 127.0.0.1) or those in these CIDRs. */
  allowPrivateAddresses: boolean | readonly string[];
  /** Hosts a redirect may go to besides the URL's own. */
  redirectHosts: readonly string[];
};

export const DEFAULT_ARTIFACT_FETCH: ArtifactFetchPolicy = { maxBytes: 2 * 1024 ** 3, allowPrivateAddresses: false, redirectHosts: [] };

export type ResolveHost = (host: string) => Promise<Array<{ address: string; family: number }>>;

export type ArtifactFetchInput = {
  url: string;
  /** The file to write the body to. */
  file: string;
  timeoutMs: number;
  policy: ArtifactFetchPolicy;
  signal?: AbortSignal;
  /** DNS resolution (tests give a resolver that answers a chosen address). */
  resolve?: ResolveHost;
};

const PROVIDER = "artifact-fetch";
const MAX_REDIRECTS = 5;

const fail = (message: string, retryable = false): never => {
  throw new ProviderError(PROVIDER, message, retryable);
};

const systemResolve: ResolveHost = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Download `url` into `file` under the policy; the body's sha256 and size. Throws ProviderError saying what was refused. */
export async function fetchArtifact(input: ArtifactFetchInput): Promise<{ sha256: string; bytes: number }> {
  const timeout = AbortSignal.timeout(Math.max(1, input.timeoutMs));
  const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
  const seconds = Math.round(input.timeoutMs / 100) / 10;
  try {
    return await fetchFollowing(input, signal);
  } catch (err) {
    if (timeout.aborted && !input.signal?.aborted)
      fail(`downloading the artifact from ${redactUrl(input.url)} timed out after ${seconds} s (the deploy's timeoutSeconds)`, true);
    if (input.signal?.aborted) throw abortError();
    if (err instanceof ProviderError) throw err;
    return fail(`downloading the artifact from ${redactUrl(input.url)} failed: ${(err as Error).message}`, true);
  }
}

async function fetchFollowing(input: ArtifactFetchInput, signal: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const first = parseHttpUrl(input.url);
  let url = first;
  for (let hop = 0; ; hop++) {
    const target = await checkedAddress(url, input.policy, input.resolve ?? systemResolve, signal);
    const res = await get(url, target, signal);
    const location = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      const next = parseHttpUrl(new URL(location, url).toString());
      if (hop + 1 > MAX_REDIRECTS)
        fail(`downloading the artifact from ${redactUrl(input.url)} was redirected more than ${MAX_REDIRECTS} times; refusing to follow`);
      if (url.protocol === "https:" && next.protocol !== "https:")
        fail(`${redactUrl(url.href)} redirected to ${redactUrl(next.href)}, from https to http; refusing to follow`);
      if (next.hostname !== first.hostname && !input.policy.redirectHosts.some((h) => bare(h) === bare(next.hostname))) {
        fail(`${redactUrl(url.href)} redirected to another host, ${bare(next.hostname)}; add it to artifactFetch.redirectHosts in the config to allow it`);
      }
      url = next;
      continue;
    }
    if (res.statusCode !== 200) {
      res.resume();
      fail(`downloading the artifact from ${redactUrl(url.href)} failed: HTTP ${res.statusCode}`, (res.statusCode ?? 500) >= 500);
    }
    return save(res, url, input, signal);
  }
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`the artifact URL ${JSON.stringify(redactUrl(text))} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(`the artifact URL ${redactUrl(text)} is not http(s); refusing to fetch it`);
  if (url.username || url.password) fail(`the artifact URL ${redactUrl(text)} carries credentials; refusing to fetch it`);
  return url;
}

const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();

/** Resolve the host, check every address, and pick the first one to connect to. */
async function checkedAddress(url: URL, policy: ArtifactFetchPolicy, resolve: ResolveHost, signal: AbortSignal): Promise<{ address: string; family: number }> {
  const host = bare(url.hostname);
  const family = isIP(host);
  const addresses = family
    ? [{ address: host, family }]
    : await raceAbort(resolve(host), signal).catch((err: Error) => fail(`cannot resolve ${host}: ${err.message}`, true));
  if (addresses.length === 0) fail(`cannot resolve ${host}: no address`, true);
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    const allowed = verdict.kind === "public" || (verdict.kind === "internal" && privateAllowed(address, policy.allowPrivateAddresses));
    if (allowed) continue;
    const where = address === host ? address : `${host} (${address})`;
    const hint =
      verdict.kind === "internal" ? "; list its network in artifactFetch.allowPrivateAddresses in the config if artifacts are served inside your network" : "";
    fail(`refusing to fetch the artifact from ${redactUrl(url.href)}: ${where} is ${verdict.why}${hint}`);
  }
  return addresses[0];
}

function privateAllowed(address: string, allow: boolean | readonly string[]): boolean {
  if (typeof allow === "boolean") return allow;
  const family = isIP(address);
  const list = new BlockList();
  for (const entry of allow) {
    const [net, prefix] = entry.split("/");
    const type = isIP(net) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(net, type);
    else list.addSubnet(net, Number(prefix), type);
  }
  return list.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** One GET to the checked address (the Host header and TLS name stay the URL's). */
function get(url: URL, target: { address: string; family: number }, signal: AbortSignal): Promise<IncomingMessage> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options?.all) (callback as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { lookup: pinned, signal, headers: { accept: "*/*", "accept-encoding": "identity", "user-agent": "flightdeck" } }, resolve);
    req.on("error", reject);
  });
}

async function save(res: IncomingMessage, url: URL, input: ArtifactFetchInput, signal: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const max = input.policy.maxBytes;
  const limit = `the ${formatBytes(max)} limit (artifactFetch.maxBytes)`;
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    res.destroy();
    fail(`the artifact at ${redactUrl(url.href)} is ${formatBytes(declared)}, over ${limit}; nothing was downloaded`);
  }
  const hash = createHash("sha256");
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max)
        return done(new ProviderError(PROVIDER, `the artifact at ${redactUrl(url.href)} is larger than ${limit}; stopped after ${formatBytes(bytes)}`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(res, counter, createWriteStream(input.file), { signal });
  return { sha256: `sha256:${hash.digest("hex")}`, bytes };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** 2147483648 → "2 GiB", 1536 → "1.5 KiB". */
function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${Math.round(value * 10) / 10} ${units[unit]}`;
}
