import { describe, expect, it } from "vitest";
import { demoConfig } from "@/server/engine/runner/test-fixtures";
import { commitUrl, fillLink } from "./rollout-view";

describe("links on the rollout page", () => {
  it("fills every placeholder of a config link and escapes the values", () => {
    const url = fillLink("https://logs.example.com/search?q=region%3D{region}%20correlation_id%3D{correlationId}&s={service}&r={rolloutId}&from={from}&to={to}", {
      region: "eu-west",
      correlationId: "c 1",
      service: "api",
      rolloutId: "r1",
      from: "1000",
      to: "2000",
    });
    expect(url).toBe("https://logs.example.com/search?q=region%3Deu-west%20correlation_id%3Dc%201&s=api&r=r1&from=1000&to=2000");
  });

  it("links a commit to the service's repository, and gives no link without a repository or a sha", () => {
    const config = demoConfig((raw) => ((raw.services as Array<Record<string, unknown>>)[0].repository = "https://github.com/acme/api/"));
    const serviceId = config.services[0].id;
    expect(commitUrl(config, serviceId, "abc123")).toBe("https://github.com/acme/api/commit/abc123");
    expect(commitUrl(config, serviceId, null)).toBeNull();
    expect(commitUrl(demoConfig((raw) => delete (raw.services as Array<Record<string, unknown>>)[0].repository), serviceId, "abc123")).toBeNull();
  });
});
