/**
 * What every fuzz test shares (docs/reliability.md, "Fuzzing"): one seed for the whole set, so a run is
 * reproducible (`FLIGHTDECK_FUZZ_SEED=<n>` replays another; fast-check prints the seed and the shrunk
 * counterexample of a failure), a scale to run deeper on demand (`FLIGHTDECK_FUZZ_SCALE=10`), a log line per
 * property naming the cases it ran, and the row counts a refusal must leave as they were.
 */
import fc from "fast-check";
import type { SqliteStore } from "@/db/client";

export const FUZZ_SEED = Number(process.env.FLIGHTDECK_FUZZ_SEED ?? 16_005);
const SCALE = Number(process.env.FLIGHTDECK_FUZZ_SCALE ?? 1);

/**
 * Check `predicate` on `runs` generated values (times the scale) and log how many cases ran. Cases run one
 * after another, so each one sees the rows the previous ones left.
 */
export async function fuzz<T>(name: string, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, runs: number): Promise<number> {
  let cases = 0;
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      cases++;
      await predicate(value);
    }),
    { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(runs * SCALE)) },
  );
  console.log(`fuzz ${name}: ${cases} cases run (seed ${FUZZ_SEED}, ${Date.now() - started} ms)`);
  return cases;
}

/** Tables whose rows a refused request may change by design: a rate-limit bucket is taken before anything is read. */
const WRITTEN_BY_REFUSALS = new Set(["rate_buckets"]);

/** The row count of every table (migrations' own bookkeeping aside): what a refusal must leave unchanged. */
export function tableCounts(db: SqliteStore): Record<string, number> {
  const client = db.$client;
  const tables = client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables
      .filter((t) => !WRITTEN_BY_REFUSALS.has(t.name))
      .map((t) => [t.name, (client.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]),
  );
}

/** Strings a parser or a database rarely meets: control characters, surrogates, path tricks, huge and empty. */
export const ODD_STRINGS = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\u202e",
  "🚀".repeat(50),
  "x".repeat(5000),
  "../../etc/passwd",
  "%00",
  "%2F..%2F",
  "<script>alert(1)</script>",
  "'; DROP TABLE rollouts; --",
  "__proto__",
  "constructor",
  "toString",
  "NaN",
  "-0",
  "1e309",
] as const;

/** Any value JSON can carry, leaning to the odd: odd strings, big and negative numbers, nesting. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...ODD_STRINGS, null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, [], {}, [null], { nested: { deep: [1, 2, 3] } }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

/**
 * A value "around" a valid one: the valid value itself, or with one field replaced by an odd value, removed,
 * or joined by an unknown field; or something else entirely. Nested objects are mutated one level down too.
 */
export function around(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  const nested = keys.filter((k) => valid[k] && typeof valid[k] === "object" && !Array.isArray(valid[k]));
  const variants: fc.Arbitrary<unknown>[] = [
    fc.constant(valid),
    fc.tuple(fc.constantFrom(...keys), oddValue).map(([k, v]) => ({ ...valid, [k]: v })),
    fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== k))),
    fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), oddValue).map(([k, v]) => ({ ...valid, [k]: v })),
    oddValue,
  ];
  if (nested.length > 0) {
    variants.push(fc.constantFrom(...nested).chain((k) => around(valid[k] as Record<string, unknown>).map((inner) => ({ ...valid, [k]: inner }))));
  }
  return fc.oneof(...variants);
}
