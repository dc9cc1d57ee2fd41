import { describe, expect, it } from "vitest";
import {
  colourOfRecord,
  describeErrors,
  dnsRecordPath,
  dnsSplitFor,
  loadBalancerPath,
  poolWeightsBody,
  poolWeightsFor,
  readPoolWeights,
  splitFromPoolWeights,
  type LoadBalancer,
} from "./payloads";

const pools = { blue: "pool-blue-0001", green: "pool-green-0002" };
const lb = (over: Partial<LoadBalancer> = {}): LoadBalancer => ({
  id: "lb1",
  name: "api.example.com",
  default_pools: [pools.blue, pools.green],
  fallback_pool: pools.blue,
  steering_policy: "random",
  random_steering: { default_weight: 1, pool_weights: { [pools.blue]: 0.9, [pools.green]: 0.1 } },
  ...over,
});

describe("paths", () => {
  it("DNS record and load balancer, zone-scoped", () => {
    expect(dnsRecordPath("023e105f4ecef8ad9ca31a8372d0c353", "372e67954025e0ba6aaa6d586b9e0b59")).toBe(
      "/zones/023e105f4ecef8ad9ca31a8372d0c353/dns_records/372e67954025e0ba6aaa6d586b9e0b59",
    );
    expect(loadBalancerPath("z1", "lb1")).toBe("/zones/z1/load_balancers/lb1");
  });

  it("refuses ids that would change the path", () => expect(() => dnsRecordPath("z1/../accounts", "r")).toThrow(/not a Cloudflare identifier/));
});

describe("DNS switch: all or nothing", () => {
  it.each([
    ["green", 100, { blue: 0, green: 100 }],
    ["green", 0, { blue: 100, green: 0 }],
    ["blue", 100, { blue: 100, green: 0 }],
  ] as const)("%s at %i % → %j", (colour, pct, split) => expect(dnsSplitFor(colour, pct)).toEqual(split));

  it("a canary percent cannot be a DNS switch, and the error says what to do", () => {
    expect(() => dnsSplitFor("green", 10)).toThrow(
      /a DNS record switch sends all traffic to one colour: 10 % to green cannot be set \(use mode: load-balancer/,
    );
  });

  it("the record's content names the colour", () => {
    const hosts = { blue: "203.0.113.10", green: "203.0.113.20" };
    expect(colourOfRecord({ content: "203.0.113.20" }, hosts)).toBe("green");
    expect(colourOfRecord({ content: "198.51.100.1" }, hosts)).toBeNull();
  });
});

describe("pool weights in tenths", () => {
  it.each([
    [0, { blue: 1, green: 0 }],
    [10, { blue: 0.9, green: 0.1 }],
    [20, { blue: 0.8, green: 0.2 }],
    [25, { blue: 0.9, green: 0.3 }],
    [50, { blue: 1, green: 1 }],
    [75, { blue: 0.3, green: 0.9 }],
    [100, { blue: 0, green: 1 }],
  ])("green %i % → %j", (pct, weights) => {
    expect(poolWeightsFor(pct)).toEqual(weights);
    expect(splitFromPoolWeights(weights.blue, weights.green).green).toBe(pct);
  });

  it.each([33, 1, 99])("green %i % has no exact pair of tenths", (pct) => expect(poolWeightsFor(pct)).toBeNull());

  it("the PATCH body sets random steering and our pools, keeping other pools and the default weight", () => {
    expect(poolWeightsBody({ default_weight: 0.5, pool_weights: { other: 0.3, [pools.green]: 0.1 } }, pools, { blue: 0.6, green: 0.2 })).toEqual({
      steering_policy: "random",
      random_steering: { default_weight: 0.5, pool_weights: { other: 0.3, [pools.blue]: 0.6, [pools.green]: 0.2 } },
    });
  });

  it("reads weights back, and refuses a load balancer where they do not steer", () => {
    expect(readPoolWeights(lb(), pools)).toEqual({ blue: 0.9, green: 0.1 });
    expect(readPoolWeights(lb({ random_steering: { default_weight: 0.4 } }), pools)).toEqual({ blue: 0.4, green: 0.4 });
    expect(() => readPoolWeights(lb({ steering_policy: "off" }), pools)).toThrow(/steers by "off", not "random"/);
    expect(() => readPoolWeights(lb({ default_pools: [pools.blue] }), pools)).toThrow(/does not list green's pool pool-green-0002 in default_pools/);
  });
});

describe("describeErrors", () => {
  it("joins Cloudflare's errors", () => {
    expect(
      describeErrors([
        { code: 10000, message: "Authentication error" },
        { code: 81044, message: "Record does not exist." },
      ]),
    ).toBe("10000 Authentication error; 81044 Record does not exist.");
    expect(describeErrors(undefined)).toBe("no error given");
  });
});
