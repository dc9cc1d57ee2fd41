/**
 * Which network an IP address belongs to, for the server-side artifact fetch: an address on the public
 * internet, or one inside the server's own walls (loopback, link-local such as the cloud metadata service at
 * 169.254.169.254, private ranges, carrier-grade NAT, unique-local IPv6) or one that is never a real peer
 * (unspecified, multicast, documentation, reserved). IPv6 forms that carry an IPv4 address inside
 * (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged
 * by that IPv4 address, so `[::ffff:127.0.0.1]` is loopback too. Pure: no DNS, no I/O.
 */
import { BlockList, isIP } from "node:net";

/** `public`: fetch it. `internal`: only when the config allows private addresses. `never`: no config allows it. */
export type AddressKind = "public" | "internal" | "never";

export type AddressVerdict = { kind: AddressKind; why: string };

type Range = { cidr: string; kind: Exclude<AddressKind, "public">; why: string };

const V4: Range[] = [
  { cidr: "0.0.0.0/8", kind: "never", why: "an unspecified address" },
  { cidr: "10.0.0.0/8", kind: "internal", why: "a private address" },
  { cidr: "100.64.0.0/10", kind: "internal", why: "a carrier-grade NAT address" },
  { cidr: "127.0.0.0/8", kind: "internal", why: "a loopback address" },
  { cidr: "169.254.0.0/16", kind: "internal", why: "a link-local address (cloud metadata lives there)" },
  { cidr: "172.16.0.0/12", kind: "internal", why: "a private address" },
  { cidr: "192.0.0.0/24", kind: "never", why: "a reserved address" },
  { cidr: "192.0.2.0/24", kind: "never", why: "a documentation address" },
  { cidr: "192.168.0.0/16", kind: "internal", why: "a private address" },
  { cidr: "198.18.0.0/15", kind: "internal", why: "a benchmarking address" },
  { cidr: "198.51.100.0/24", kind: "never", why: "a documentation address" },
  { cidr: "203.0.113.0/24", kind: "never", why: "a documentation address" },
  { cidr: "224.0.0.0/4", kind: "never", why: "a multicast address" },
  { cidr: "240.0.0.0/4", kind: "never", why: "a reserved address" },
];

const V6: Range[] = [
  { cidr: "::1/128", kind: "internal", why: "a loopback address" },
  { cidr: "100::/64", kind: "never", why: "a discard address" },
  { cidr: "2001:db8::/32", kind: "never", why: "a documentation address" },
  { cidr: "fc00::/7", kind: "internal", why: "a unique-local (private) address" },
  { cidr: "fe80::/10", kind: "internal", why: "a link-local address" },
  { cidr: "fec0::/10", kind: "internal", why: "a site-local address" },
  { cidr: "ff00::/8", kind: "never", why: "a multicast address" },
];

function blockList(ranges: Range[], type: "ipv4" | "ipv6"): Array<Range & { list: BlockList }> {
  return ranges.map((r) => {
    const list = new BlockList();
    const [net, prefix] = r.cidr.split("/");
    list.addSubnet(net, Number(prefix), type);
    return { ...r, list };
  });
}

const V4_LISTS = blockList(V4, "ipv4");
const V6_LISTS = blockList(V6, "ipv6");

/** The 8 groups of an IPv6 address as numbers (handles `::` and a trailing dotted IPv4). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split("%")[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split(".").map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]); // ::ffff:a.b.c.d
  if (zero(0, 6)) return v4(g[6], g[7]); // ::a.b.c.d (and :: and ::1, judged below before this)
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6], g[7]); // 64:ff9b::a.b.c.d
  if (g[0] === 0x2002) return v4(g[1], g[2]); // 2002:aabb:ccdd::
  return null;
}

/** Where an IP address points. Anything that is not an IP literal is `never` (the caller resolves names first). */
export function classifyAddress(address: string): AddressVerdict {
  const family = isIP(address.split("%")[0]);
  if (family === 4) {
    const hit = V4_LISTS.find((r) => r.list.check(address, "ipv4"));
    return hit ? { kind: hit.kind, why: hit.why } : { kind: "public", why: "a public address" };
  }
  if (family === 6) {
    const bare = address.split("%")[0];
    if (ipv6Groups(bare).every((x) => x === 0)) return { kind: "never", why: "an unspecified address" };
    const hit = V6_LISTS.find((r) => r.list.check(bare, "ipv6"));
    if (hit) return { kind: hit.kind, why: hit.why };
    const inner = embeddedIpv4(bare);
    if (inner) {
      const verdict = classifyAddress(inner);
      return verdict.kind === "public" ? verdict : { kind: verdict.kind, why: `${verdict.why} (${inner} inside ${bare})` };
    }
    return { kind: "public", why: "a public address" };
  }
  return { kind: "never", why: "not an IP address" };
}
