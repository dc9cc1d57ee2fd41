import { describe, expect, it } from "vitest";
import { traceHeaders, traceIdFor } from "./trace-headers";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe("trace headers", () => {
  it("carry the correlation id and a W3C traceparent whose trace id is the uuid without dashes", () => {
    const id = "5F0C1A2B-3D4E-4F60-8172-93A4B5C6D7E8";
    const headers = traceHeaders(id);
    expect(headers["x-correlation-id"]).toBe(id);
    const m = TRACEPARENT.exec(headers.traceparent);
    expect(m).not.toBeNull();
    expect(m![1]).toBe("5f0c1a2b3d4e4f60817293a4b5c6d7e8");
    expect(m![2]).not.toBe("0000000000000000");
  });

  it("give every request of one rollout the same trace and its own span", () => {
    const id = "9b2e8c4a-1f3d-4a5b-9c6d-7e8f9a0b1c2d";
    const spans = new Set(Array.from({ length: 20 }, () => TRACEPARENT.exec(traceHeaders(id).traceparent)![2]));
    const traces = new Set(Array.from({ length: 20 }, () => TRACEPARENT.exec(traceHeaders(id).traceparent)![1]));
    expect(traces.size).toBe(1);
    expect(spans.size).toBe(20);
  });

  it("derive a stable, valid trace id from a correlation id that is not a uuid", () => {
    expect(traceIdFor("ci-run-4711")).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdFor("ci-run-4711")).toBe(traceIdFor("ci-run-4711"));
    expect(traceIdFor("ci-run-4711")).not.toBe(traceIdFor("ci-run-4712"));
    expect(traceIdFor("00000000-0000-0000-0000-000000000000")).not.toBe("0".repeat(32));
  });

  it("are empty without a correlation id", () => {
    expect(traceHeaders(null)).toEqual({});
    expect(traceHeaders(undefined)).toEqual({});
  });
});
