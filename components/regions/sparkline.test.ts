import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Sparkline, type SparklineProps } from "./sparkline";

const render = (props: Partial<SparklineProps>) =>
  renderToStaticMarkup(createElement(Sparkline, { metric: "Error rate", unit: "%", points: [], max: 0.8, past: false, ...props }));

/** The width and height attributes or style of the drawing or its placeholder. */
const sizeOf = (html: string) =>
  html
    .match(/(?:width="(\d+)" height="(\d+)")|(?:width:(\d+)px;height:(\d+)px)/)!
    .slice(1)
    .filter(Boolean);

describe("Sparkline", () => {
  const points = [
    { value: 0.3, threshold: 1 },
    { value: 0.9, threshold: 0.8 },
    { value: 0.42, threshold: 0.8 },
  ];

  it("draws the samples as an image labelled with its numbers, the newest value and limit beside it", () => {
    const html = render({ points });
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Error rate over the last 3 canary samples: newest 0.42 %, limit 0.8 %, range 0.3 % to 0.9 %, 1 over its threshold."');
    expect(html).toContain(">0.42 % / max 0.8 %<");
    expect(html).toContain('stroke-dasharray="3 2"');
    expect(html.match(/data-breach/g)).toHaveLength(1);
  });

  it("shows an empty state the same size as the drawing", () => {
    const empty = render({ points: [] });
    expect(empty).toContain("no samples yet");
    expect(empty).toContain('aria-label="Error rate: no canary samples yet, limit 0.8 %."');
    expect(empty).toContain(">max 0.8 %<");
    expect(sizeOf(empty)).toEqual(sizeOf(render({ points })));
  });

  it("shows the newest value in red when it is over the current limit", () => {
    expect(render({ points: [{ value: 1.2, threshold: 1 }], max: 0.8 })).toMatch(/class="[^"]*text-red-700[^"]*"[^>]*>1.2 % \/ max 0.8 %</);
    expect(render({ points: [{ value: 0.5, threshold: 1 }], max: 0.8 })).not.toContain("text-red-700");
  });
});
