import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { HistoryList } from "./history-list";

type Items = Parameters<typeof HistoryList>[0]["items"];
const item = (regions: Items[number]["regions"]): Items[number] => ({
  id: "r1",
  serviceId: "api",
  version: "1.4.2",
  strategy: "parallel",
  status: "failed",
  initiator: "user:dana",
  initiatorName: "Dana",
  createdAt: 1_700_000_000_000,
  finishedAt: 1_700_000_600_000,
  regions,
});
const render = (items: Items) => renderToString(createElement(HistoryList, { items })).replaceAll("<!-- -->", "");

describe("rollout history", () => {
  it("reads a rollout that a person rolled back as rolled back, and one a breach rolled back as failed", () => {
    const byHand = { trigger: "manual" as const, by: "user:sam", byName: "Sam", at: 1_700_000_500_000 };
    expect(render([item([{ regionId: "us-east", phase: "rolled_back", rollback: byHand }])])).toMatch(/>rolled back</);
    const breach = { trigger: "breach" as const, by: null, byName: null, at: 1_700_000_500_000 };
    const html = render([item([{ regionId: "us-east", phase: "rolled_back", rollback: breach }])]);
    expect(html).toMatch(/>failed</);
    expect(html).toContain("bg-red-50");
  });
});
