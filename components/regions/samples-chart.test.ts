import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SamplesChart } from "./samples-chart";

describe("the region page's samples chart", () => {
  it("is a named image in a placeholder of its size, with its samples behind Show as table, and no Tab stop", () => {
    const html = renderToStaticMarkup(
      createElement(SamplesChart, {
        samples: [
          { takenAt: 1_000, errorRatePct: 0.04, latencyP95Ms: 180 },
          { takenAt: 2_000, errorRatePct: 0.3, latencyP95Ms: 212.4 },
        ],
      }),
    );
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Error rate and p95 latency of the last 2 canary samples; newest 0.3 % and 212 ms"');
    expect(html).toContain("Show as table");
    expect(html).toContain("h-56");
    expect(html).not.toContain("tabindex");
    expect(html).not.toContain("recharts");
  });

  it("says there are no samples without an empty chart", () => {
    expect(renderToStaticMarkup(createElement(SamplesChart, { samples: [] }))).toContain("No canary samples yet in this region.");
  });
});
