/**
 * Grafana annotations of a simulated rollout, through the outbox and its sender, against a local stand-in
 * for Grafana's annotation API (server/providers/annotate-grafana/fake-grafana.ts).
 */
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { notificationOutbox } from "@/db/schema";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { FAKE_GRAFANA_TOKEN as TOKEN, startFakeGrafana, tagOf, type FakeGrafana } from "@/server/providers/annotate-grafana/fake-grafana";
import { demoConfig, eventsOf, type Harness } from "@/server/engine/runner/test-fixtures";
import { deliverDueNotifications } from "./sender";
import { observabilityHarness, rollOutToEuWest } from "./test-observability-fixtures";

let grafana: FakeGrafana | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await grafana?.close();
  h?.cleanup();
  grafana = undefined;
  h = undefined;
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
});

describe("Grafana annotations of a rollout", () => {
  it("a breach at EU West's 25 % stage: deploy, stages, breach and rollback annotated; the region annotation spans start to rollback", async () => {
    grafana = await startFakeGrafana();
    h = observabilityHarness({ grafanaUrl: grafana.url, faultAt25: true });
    const { correlationId } = await rollOutToEuWest(h);
    const results = await deliverDueNotifications({ db: h.db, config: h.config, env: { GRAFANA_API_KEY: TOKEN }, now: () => h!.clock.now(), batchSize: 100 });
    expect(results.every((r) => r.outcome === "sent")).toBe(true);

    const posts = grafana.calls.filter((c) => c.method === "POST");
    const annotated = posts.map((c) => tagOf(c, "event"));
    expect(annotated).toEqual(["region.rollout", "deploy.started", "stage.started", "stage.passed", "stage.started", "analysis.breach", "region.rolled_back"]);
    for (const c of posts) {
      expect(c.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(tagOf(c, "region")).toBe("eu-west");
      expect(tagOf(c, "service")).toBe("api");
      expect(tagOf(c, "version")).toBe("1.4.2");
      expect(tagOf(c, "correlation_id")).toBe(correlationId);
      expect(c.headers["x-correlation-id"]).toBe(correlationId);
    }
    const breach = posts.find((c) => tagOf(c, "event") === "analysis.breach")!;
    expect(tagOf(breach, "stage")).toBe("25%");
    expect(breach.body.text).toMatch(/error rate/i);

    const regionStart = posts[0];
    const rolledBack = eventsOf(h.db, { type: "region.rolled_back" })[0];
    const patches = grafana.calls.filter((c) => c.method === "PATCH");
    expect(patches.map((c) => [c.path, c.body])).toEqual([["/api/annotations/100", { timeEnd: rolledBack.at }]]);
    expect(regionStart.body.time).toBe(eventsOf(h.db, { type: "region.started" })[0].at);
    const startRow = h.db.raw
      .select()
      .from(notificationOutbox)
      .all()
      .find((r) => r.kind === "region-start")!;
    expect(startRow.payload).toMatchObject({ annotationId: 100 });
  });

  it("the region's end waits for its start to be created, and creates the whole span when the start failed for good", async () => {
    grafana = await startFakeGrafana();
    h = observabilityHarness({ grafanaUrl: grafana.url });
    await rollOutToEuWest(h);
    const rows = () => h!.db.raw.select().from(notificationOutbox).all();
    const start = rows().find((r) => r.kind === "region-start")!;
    const now = h.clock.now();
    // The start is still being retried (not due yet): the end must not create a second annotation.
    h.db.raw
      .update(notificationOutbox)
      .set({ nextAttemptAt: now + 60_000 })
      .where(eq(notificationOutbox.id, start.id))
      .run();
    const first = await deliverDueNotifications({ db: h.db, config: h.config, env: { GRAFANA_API_KEY: TOKEN }, now: () => now, batchSize: 100 });
    expect(first.find((r) => r.channelId === "grafana-region")).toMatchObject({
      outcome: "retry",
      error: "waiting for the region annotation to be created first",
    });
    expect(grafana.calls.filter((c) => tagOf(c, "event") === "region.rollout" || c.method === "PATCH")).toEqual([]);

    h.db.raw.update(notificationOutbox).set({ status: "failed", lastError: "HTTP 500" }).where(eq(notificationOutbox.id, start.id)).run();
    await deliverDueNotifications({ db: h.db, config: h.config, env: { GRAFANA_API_KEY: TOKEN }, now: () => now + 600_000, batchSize: 100 });
    const span = grafana.calls.filter((c) => c.method === "POST" && tagOf(c, "event") === "region.rollout");
    expect(span).toHaveLength(1);
    const succeeded = eventsOf(h.db, { type: "region.succeeded" })[0];
    expect(span[0].body).toMatchObject({ time: eventsOf(h.db, { type: "region.started" })[0].at, timeEnd: succeeded.at });
    expect(grafana.calls.filter((c) => c.method === "PATCH")).toEqual([]);
  });

  it("a missing API key fails the row with the variable's name and never touches the rollout", async () => {
    grafana = await startFakeGrafana();
    h = observabilityHarness({ grafanaUrl: grafana.url });
    await rollOutToEuWest(h);
    const results = await deliverDueNotifications({ db: h.db, config: h.config, env: {}, now: () => h!.clock.now(), batchSize: 100 });
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.error))).toEqual(new Set(["environment variable GRAFANA_API_KEY is not set"]));
    expect(grafana.calls).toEqual([]);
    expect(eventsOf(h.db, { type: "region.succeeded" })).toHaveLength(1);
  });
});
