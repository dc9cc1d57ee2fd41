import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { regionRollouts } from "@/db/schema";
import { addUser, createHarness, DIGEST_A, demoConfig } from "@/server/engine/runner/test-fixtures";
import { BUILT } from "./ci-webhook.fixtures";
import { commitUrl, fillLink, getRolloutView } from "./rollout-view";
import { startRollout } from "./rollouts";

describe("links on the rollout page", () => {
  it("fills every placeholder of a config link and escapes the values", () => {
    const url = fillLink(
      "https://logs.example.com/search?q=region%3D{region}%20correlation_id%3D{correlationId}&s={service}&r={rolloutId}&from={from}&to={to}",
      {
        region: "eu-west",
        correlationId: "c 1",
        service: "api",
        rolloutId: "r1",
        from: "1000",
        to: "2000",
      },
    );
    expect(url).toBe("https://logs.example.com/search?q=region%3Deu-west%20correlation_id%3Dc%201&s=api&r=r1&from=1000&to=2000");
  });

  it("links a commit to the service's repository, and gives no link without a repository or a sha", () => {
    const config = demoConfig((raw) => ((raw.services as Array<Record<string, unknown>>)[0].repository = "https://github.com/acme/api/"));
    const serviceId = config.services[0].id;
    expect(commitUrl(config, serviceId, "abc123")).toBe("https://github.com/acme/api/commit/abc123");
    expect(commitUrl(config, serviceId, null)).toBeNull();
    expect(
      commitUrl(
        demoConfig((raw) => delete (raw.services as Array<Record<string, unknown>>)[0].repository),
        serviceId,
        "abc123",
      ),
    ).toBeNull();
  });
});

describe("region links on the rollout page use the card's time window", () => {
  it("runs from the region's start (or 15 minutes before its end, if earlier) to 5 minutes after its end", async () => {
    const h = createHarness();
    try {
      const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
      const { rolloutId } = await startRollout(h.as(dana), {
        serviceId: "api",
        artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
        strategy: "parallel",
        regions: ["us-east"],
      });
      const started = 1_780_000_000_000;
      const ended = started + 60 * 60_000;
      h.db.raw.update(regionRollouts).set({ startedAt: started, finishedAt: ended }).where(eq(regionRollouts.rolloutId, rolloutId)).run();
      const [region] = (await getRolloutView(h.as(dana), rolloutId)).regions;
      expect(region.links.dashboard).toBe(`https://grafana.example.com/d/flightdeck?var-region=us-east&from=${started}&to=${ended + 5 * 60_000}`);

      // A region that ran for less than 15 minutes: the window opens 15 minutes before its end, as on a card.
      h.db.raw
        .update(regionRollouts)
        .set({ finishedAt: started + 60_000 })
        .where(eq(regionRollouts.rolloutId, rolloutId))
        .run();
      const [short] = (await getRolloutView(h.as(dana), rolloutId)).regions;
      expect(short.links.dashboard).toBe(
        `https://grafana.example.com/d/flightdeck?var-region=us-east&from=${started + 60_000 - 15 * 60_000}&to=${started + 60_000 + 5 * 60_000}`,
      );
    } finally {
      h.cleanup();
    }
  });
});
