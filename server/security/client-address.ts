/**
 * Who is on the other end of a request, for rate limits and sign-in throttling: the connection's own address,
 * and `X-Forwarded-For` only when that connection comes from a proxy the config trusts (`trustedProxies`, IPs
 * or CIDRs). Then the hops are read from the right (each proxy appends the address it saw) and the first hop
 * that is not a trusted proxy is the client; anything to its left was written by the client and is ignored.
 *
 * A Next.js route handler never sees the socket: `next start` only fills `X-Forwarded-For` with the socket's
 * address when the client sent none (`??=`), so a client that sends its own hides its address. So the server
 * process subscribes to Node's `http.server.request.start` diagnostics channel (`recordPeerAddresses`, called
 * from instrumentation.ts), which runs before Next reads the request, and writes the socket's address into
 * `X-Flightdeck-Peer`, overwriting whatever a client sent there. Where that hook is not installed (unit tests
 * that build `Request`s, the CLI tests' route server) the rightmost `X-Forwarded-For` hop stands for the socket,
 * as Next sets it when the client sent none.
 */
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

export const PEER_HEADER = "x-flightdeck-peer";
const UNKNOWN = "unknown";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

const state = globalThis as unknown as { flightdeckPeerHook?: boolean };

/** Called once per server process, before requests are served: every request carries its socket's address. */
export function recordPeerAddresses(): void {
  if (state.flightdeckPeerHook) return;
  state.flightdeckPeerHook = true;
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    request.headers[PEER_HEADER] = normaliseAddress(request.socket?.remoteAddress ?? "") || UNKNOWN;
  });
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1; zone ids and brackets go. */
export function normaliseAddress(raw: string): string {
  let address = raw.trim().replace(/^\[(.*)\]$/, "$1");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1];
  return address.slice(0, 64);
}

const CIDR = /^([^/]+)(?:\/(\d{1,3}))?$/;

/** Why an entry of `trustedProxies` is not an IP or CIDR, or null when it is one. */
export function trustedProxyProblem(entry: string): string | null {
  const match = CIDR.exec(entry.trim());
  const family = match ? isIP(match[1]) : 0;
  if (!match || family === 0) return `expected an IP address or CIDR such as 10.0.0.0/8, got ${JSON.stringify(entry)}`;
  if (match[2] !== undefined && Number(match[2]) > (family === 4 ? 32 : 128))
    return `the prefix of ${JSON.stringify(entry)} is longer than an IPv${family} address`;
  return null;
}

const lists = new Map<string, BlockList>();

function trustList(trustedProxies: readonly string[]): BlockList {
  const key = trustedProxies.join(",");
  let list = lists.get(key);
  if (list) return list;
  list = new BlockList();
  for (const entry of trustedProxies) {
    const match = CIDR.exec(entry.trim());
    const family = match ? isIP(match[1]) : 0;
    if (!match || family === 0) continue; // the config check refuses these at start
    const type = family === 4 ? "ipv4" : "ipv6";
    if (match[2] === undefined) list.addAddress(match[1], type);
    else list.addSubnet(match[1], Number(match[2]), type);
  }
  if (lists.size > 16) lists.clear();
  lists.set(key, list);
  return list;
}

function isTrusted(address: string, list: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * The client's address for this request, given the config's `trustedProxies`:
 * `clientAddress(request.headers, getConfig().config.trustedProxies)`. Never throws; "unknown" when the server
 * hook is installed but saw no socket for this request (one that arrived while the server was starting).
 */
export function clientAddress(headers: HeaderSource, trustedProxies: readonly string[]): string {
  const forwarded = (header(headers, "x-forwarded-for") ?? "").split(",").map(normaliseAddress).filter(Boolean);
  const recorded = header(headers, PEER_HEADER);
  // With the hook installed the peer header is the socket; a request without it came in before the hook was.
  const peer = state.flightdeckPeerHook ? normaliseAddress(recorded ?? UNKNOWN) : (forwarded.pop() ?? UNKNOWN);
  const list = trustList(trustedProxies);
  if (!isTrusted(peer, list)) return peer;
  // From a trusted proxy: walk left over the hops it (and the proxies before it) appended.
  let client = peer;
  for (let i = forwarded.length - 1; i >= 0; i--) {
    client = forwarded[i];
    if (!isTrusted(client, list)) return client;
  }
  return client;
}
