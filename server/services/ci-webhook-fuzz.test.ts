/**
 * Malformed bodies and headers, generated from a fixed seed: the webhook never answers 500, always answers
 * JSON with an error, and writes nothing when it refuses.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/ci/route";
import { goodBody, rowCounts, SECRET, signedRequest, freshProcessDatabase, type ProcessFixture } from "./ci-webhook.fixtures";

let f: ProcessFixture;
beforeEach(() => {
  f = freshProcessDatabase();
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
});
afterEach(() => f.cleanup());

/** mulberry32: small, seedable, good enough to pick mutations. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  "",
  " ",
  "🚀".repeat(50),
  "x".repeat(5000),
  [],
  [null],
  {},
  { nested: { deep: [1, 2, 3] } },
  "../../etc/passwd",
  "refs/heads/",
  "sha256:" + "g".repeat(64),
  "<script>",
  "\u0000",
];
const KEYS = ["service", "artifact", "ref", "commit", "strategy", "regions"];
const ARTIFACT_KEYS = ["version", "digest", "url"];
const RAW_BODIES = ["", "{", "null", "[]", '"a string"', "42", '{"service":', "\u0000\u0001", "{}".repeat(1000), "\ufeff{}", '{"__proto__":{"polluted":1}}'];

function malformedBody(next: () => number): { rawBody?: string; body?: unknown } {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const roll = next();
  if (roll < 0.2) return { rawBody: pick(RAW_BODIES) };
  const body = goodBody() as Record<string, unknown> & { artifact: Record<string, unknown> };
  if (roll < 0.5) body[pick(KEYS)] = pick(ODD_VALUES);
  else if (roll < 0.7) body.artifact = { ...body.artifact, [pick(ARTIFACT_KEYS)]: pick(ODD_VALUES) };
  else if (roll < 0.8) delete body[pick(KEYS)];
  else if (roll < 0.9) body.delayMinutes = pick([...ODD_VALUES, 90, 29, 241]);
  else body[`extra_${Math.floor(next() * 100)}`] = pick(ODD_VALUES);
  return { body };
}

const BAD_HEADERS = [
  { delivery: null },
  { delivery: "" },
  { delivery: "has space" },
  { delivery: "x".repeat(500) },
  { timestamp: "" },
  { timestamp: "-1" },
  { timestamp: "1e9" },
  { timestamp: "99999999999999999999" },
  { signature: "" },
  { signature: "sha256=" },
  { signature: "md5=abc" },
  { signature: "sha256=" + "z".repeat(64) },
  { signature: "sha256=" + "a".repeat(6400) },
];

describe("webhook fuzz", () => {
  it("never answers 500 and writes nothing for 250 malformed bodies and headers", async () => {
    const next = random(20_250);
    const before = rowCounts(f.db);
    const seen = new Set<number>();
    for (let i = 0; i < 250; i++) {
      const { rawBody, body } = malformedBody(next);
      const headers = next() < 0.3 ? BAD_HEADERS[Math.floor(next() * BAD_HEADERS.length)] : {};
      const res = await POST(signedRequest(body, { rawBody, source: `fuzz-${i}`, delivery: `fuzz-${i}`, ...headers }));
      const answer = await res.json();
      seen.add(res.status);
      expect(res.status, JSON.stringify({ rawBody, body, headers, answer }).slice(0, 500)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(typeof answer.error).toBe("string");
      expect(answer.error.length).toBeGreaterThan(20);
    }
    expect(rowCounts(f.db)).toEqual(before);
    expect([...seen].sort()).toEqual(expect.arrayContaining([400, 401]));
  });
});
