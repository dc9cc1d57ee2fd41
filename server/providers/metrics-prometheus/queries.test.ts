import { describe, expect, it } from "vitest";
import { DEFAULT_QUERIES, healthFromUp, parseInstant, parseRange, promDuration, PromAnswerError, queriesFor, renderQuery, sampleValue } from "./queries";

const vector = (...values: string[]) => ({
  status: "success",
  data: { resultType: "vector", result: values.map((v) => ({ metric: {}, value: [1700000000.5, v] })) },
});

describe("templates", () => {
  it("fills colour, region, service and window, and leaves PromQL braces alone", () => {
    expect(renderQuery(DEFAULT_QUERIES.requests, { colour: "green", region: "us-east", service: "api", window: "45s" })).toBe(
      'sum(increase(http_requests_total{service="api",region="us-east",colour="green"}[45s]))',
    );
  });

  it("p95 latency by histogram_quantile, in ms", () => {
    expect(DEFAULT_QUERIES.latencyP95Ms).toMatch(/^1000 \* histogram_quantile\(0\.95, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{/);
  });

  it("error rate with no 5xx series is 0 while there is traffic (or vector(0)), no data without traffic", () => {
    expect(DEFAULT_QUERIES.errorRatePct).toContain("or vector(0)");
  });

  it("a region's templates replace the defaults one by one", () => {
    const q = queriesFor({ cpuPct: 'my_cpu{colour="{colour}"}' });
    expect(q.cpuPct).toBe('my_cpu{colour="{colour}"}');
    expect(q.requests).toBe(DEFAULT_QUERIES.requests);
  });

  it.each([
    [45_000, "45s"],
    [300_000, "300s"],
    [400, "1s"],
    [1_499, "1s"],
    [1_500, "2s"],
  ])("window of %i ms is %s", (ms, d) => expect(promDuration(ms)).toBe(d));
});

describe("reading instant answers", () => {
  it.each([
    [vector("0.25"), 0.25],
    [vector("12"), 12],
    [vector(), null],
    [vector("NaN"), null],
    [vector("+Inf"), null],
    [{ status: "success", data: { resultType: "scalar", result: [1700000000, "3.5"] } }, 3.5],
  ])("%j → %j", (body, value) => expect(parseInstant(body)).toBe(value));

  it.each([
    ["not JSON's object", "<html>502</html>", "garbage"],
    ["no status", { data: {} }, "garbage"],
    ["a sample that is not a number", vector("abc"), "garbage"],
    ["two series", vector("1", "2"), "ambiguous"],
    ["a matrix", { status: "success", data: { resultType: "matrix", result: [] } }, "ambiguous"],
    ["an error", { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' }, "refused"],
  ])("%s is a %s answer", (_name, body, kind) => {
    try {
      parseInstant(body);
      expect.unreachable("should have thrown");
    } catch (err) {
      expect(err).toBeInstanceOf(PromAnswerError);
      expect((err as PromAnswerError).kind).toBe(kind);
    }
  });

  it("sampleValue refuses what is not a sample", () => {
    expect(() => sampleValue(5)).toThrow(PromAnswerError);
    expect(() => sampleValue("")).toThrow(PromAnswerError);
  });
});

describe("reading range answers", () => {
  it("gives points in unix ms; no series is no points", () => {
    const body = {
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          {
            metric: {},
            values: [
              [1700000000, "1"],
              [1700000015.5, "NaN"],
            ],
          },
        ],
      },
    };
    expect(parseRange(body)).toEqual([
      { at: 1700000000000, value: 1 },
      { at: 1700000015500, value: null },
    ]);
    expect(parseRange({ status: "success", data: { resultType: "matrix", result: [] } })).toEqual([]);
  });

  it("refuses a vector where a matrix belongs", () => expect(() => parseRange(vector("1"))).toThrow(/expected a matrix/));
});

describe("health from up", () => {
  it.each([
    [1, 200],
    [0, 0],
    [null, null],
  ])("up %j → %j", (up, status) => expect(healthFromUp(up)).toBe(status));
});
