import { describe, expect, it } from "vitest";
import { clientAddress, normaliseAddress, trustedProxyProblem } from "./client-address";

// Without the server hook (unit tests), the rightmost X-Forwarded-For hop stands for the socket's address.
const from = (xff: string) => new Headers({ "x-forwarded-for": xff });

describe("clientAddress", () => {
  it("ignores hops a client wrote when the connection is not a trusted proxy", () => {
    expect(clientAddress(from("1.2.3.4, 198.51.100.7"), [])).toBe("198.51.100.7");
    expect(clientAddress(from("1.2.3.4, 198.51.100.7"), ["10.0.0.0/8"])).toBe("198.51.100.7");
  });

  it("reads the rightmost hop that is not a trusted proxy when the connection is one", () => {
    expect(clientAddress(from("1.2.3.4, 198.51.100.7, 10.0.0.5"), ["10.0.0.0/8"])).toBe("198.51.100.7");
    expect(clientAddress(from("1.2.3.4, 198.51.100.7, 10.0.0.9, 10.0.0.5"), ["10.0.0.0/8"])).toBe("198.51.100.7");
  });

  it("takes the leftmost hop when every hop is a trusted proxy", () => {
    expect(clientAddress(from("10.0.0.9, 10.0.0.5"), ["10.0.0.0/8"])).toBe("10.0.0.9");
  });

  it("matches IPv4 clients on a dual-stack socket and IPv6 ranges", () => {
    expect(normaliseAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(clientAddress(from("203.0.113.1, ::ffff:127.0.0.1"), ["127.0.0.1"])).toBe("203.0.113.1");
    expect(clientAddress(from("2001:db8::1, fd00::2"), ["fd00::/8"])).toBe("2001:db8::1");
  });

  it("reads plain header objects (next-auth's authorize) as well as Headers", () => {
    expect(clientAddress({ "x-forwarded-for": "198.51.100.7, 10.0.0.5" }, ["10.0.0.5"])).toBe("198.51.100.7");
    expect(clientAddress({}, [])).toBe("unknown");
  });
});

describe("trustedProxyProblem", () => {
  it.each([["10.0.0.0/8"], ["127.0.0.1"], ["fd00::/8"], ["::1"]])("accepts %s", (entry) => expect(trustedProxyProblem(entry)).toBeNull());
  it("names what is wrong with an entry", () => {
    expect(trustedProxyProblem("proxy.internal")).toBe('expected an IP address or CIDR such as 10.0.0.0/8, got "proxy.internal"');
    expect(trustedProxyProblem("10.0.0.0/33")).toBe('the prefix of "10.0.0.0/33" is longer than an IPv4 address');
  });
});
