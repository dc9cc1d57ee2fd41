/** Grafana's annotation calls against a local stand-in that checks the request as Grafana would. */
import { afterEach, describe, expect, it } from "vitest";
import { annotationTags, buildEventAnnotation, buildRegionAnnotation, createAnnotation, endAnnotation } from ".";
import { FAKE_GRAFANA_TOKEN as TOKEN, startFakeGrafana, type FakeGrafana } from "./fake-grafana";

let grafana: FakeGrafana | undefined;
afterEach(async () => {
  await grafana?.close();
  grafana = undefined;
});

describe("Grafana annotations", () => {
  it("a create carries the bearer token, ms times, string tags, and the trace headers", async () => {
    grafana = await startFakeGrafana();
    const facts = { service: "api", version: "1.4.2", correlationId: "5f0c1a2b-3d4e-4f60-8172-93a4b5c6d7e8", regionId: "eu-west" };
    const answer = await createAnnotation(
      { baseUrl: grafana.url, apiKey: TOKEN, timeoutMs: 5_000, correlationId: facts.correlationId },
      buildRegionAnnotation(1_700_000_000_000, facts, 1_700_000_600_000),
    );
    expect(answer).toMatchObject({ kind: "answered", status: 200 });
    const [call] = grafana.calls;
    expect(call.body).toEqual({
      time: 1_700_000_000_000,
      timeEnd: 1_700_000_600_000,
      text: "api 1.4.2 rollout in eu-west",
      tags: annotationTags({ ...facts, event: "region.rollout", stagePercent: null }),
    });
    expect(call.headers.traceparent).toBe(`00-5f0c1a2b3d4e4f60817293a4b5c6d7e8-${call.headers.traceparent!.slice(36, 52)}-01`);
    expect(call.headers["x-correlation-id"]).toBe(facts.correlationId);

    const refused = await createAnnotation({ baseUrl: grafana.url, apiKey: "wrong", timeoutMs: 5_000 }, buildRegionAnnotation(1_700_000_000_000, facts));
    expect(refused).toMatchObject({ kind: "answered", status: 401 });
  });

  it("a stage annotation is tagged with region, stage, service, version and correlation id; a region's end is a PATCH of timeEnd", async () => {
    grafana = await startFakeGrafana();
    const facts = { service: "api", version: "1.4.2", correlationId: "c-1", regionId: "eu-west", stagePercent: 25, event: "stage.started" };
    const opts = { baseUrl: grafana.url + "/", apiKey: TOKEN, timeoutMs: 5_000 };
    const created = await createAnnotation(opts, buildEventAnnotation(1_700_000_000_000, "eu-west: 25 % of traffic on green for 5 min.", facts));
    expect(created).toMatchObject({ kind: "answered", status: 200, body: JSON.stringify({ id: 100, message: "Annotation added" }) });
    expect(grafana.calls[0].body.tags).toEqual([
      "flightdeck",
      "event:stage.started",
      "service:api",
      "version:1.4.2",
      "region:eu-west",
      "stage:25%",
      "correlation_id:c-1",
    ]);
    expect(await endAnnotation(opts, 100, 1_700_000_600_000)).toMatchObject({ kind: "answered", status: 200 });
    expect(grafana.calls[1]).toMatchObject({ method: "PATCH", path: "/api/annotations/100", body: { timeEnd: 1_700_000_600_000 } });
  });
});
