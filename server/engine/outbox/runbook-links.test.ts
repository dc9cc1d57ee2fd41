/**
 * Every link the code can produce to a section of the docs is followed here to the page `/docs` renders, and
 * its anchor is looked up among the rendered heading ids: the cards' debugging-guide links (every anchor of
 * GUIDE_ANCHORS, through guideLink, and the example card of `notify test`), every `/docs/<page>#<anchor>` and
 * `docs/<page>.md#<anchor>` written in the shipped code (messages such as the start banner's point there), and
 * every link from one doc to another. A renamed heading or a moved section
 * fails here, not in an on-call's browser.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DocMarkdown } from "@/app/docs/doc-markdown";
import { docHref, docPages, readDoc } from "@/app/docs/doc-files";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { exampleIncidentView } from "@/server/providers/notify-example";
import { GUIDE_ANCHORS, guideLink } from "./card-links";

const pages = docPages();
const rendered = new Map<string, string>();

/** The page as `/docs/<page>` serves it. */
function html(page: string): string {
  if (!rendered.has(page)) rendered.set(page, renderToStaticMarkup(createElement(DocMarkdown, { markdown: readDoc(page)!, pages })));
  return rendered.get(page)!;
}

const headingIds = (page: string) => new Set([...html(page).matchAll(/<h[1-6][^>]* id="([^"]+)"/g)].map((m) => m[1]));

/** Where a `/docs/<page>#<anchor>` link lands: the page must exist and the anchor be one of its heading ids. */
function expectSection(url: string) {
  const { pathname, hash } = new URL(url, "http://flightdeck.test");
  const page = /^\/docs\/([a-z0-9-]+)$/.exec(pathname)?.[1];
  expect(page && pages.includes(page), `${url}: no doc page at ${pathname}`).toBe(true);
  if (hash) expect([...headingIds(page!)], `${url}: no heading with id ${hash.slice(1)} on /docs/${page}`).toContain(decodeURIComponent(hash.slice(1)));
}

const demo = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), {}, { requireEnv: false }).config!;

describe("runbook links open an existing section", () => {
  it.each(Object.entries(GUIDE_ANCHORS))("a card's guide link for %s (#%s)", (_cause, anchor) => {
    const url = guideLink(demo, anchor);
    expect(url).toBe(`http://localhost:3000/docs/debugging-guide#${anchor}`);
    expectSection(url);
  });

  it("the example card of flightdeck notify test", () => {
    expectSection(exampleIncidentView(demo.baseUrl).links.guide!);
  });

  it("every /docs/<page>#<anchor> and docs/<page>.md#<anchor> written in the app, the components and the server", () => {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.tsx?$/.test(entry.name) && !/\.(test|fixtures)\.tsx?$/.test(entry.name))
          for (const m of readFileSync(file, "utf8").matchAll(/["'`(]\/docs\/([a-z0-9-]+)(#[a-z0-9-]+)?["'`)]|\bdocs\/([a-z0-9-]+)\.md(#[a-z0-9-]+)?/g))
            found.push(`/docs/${m[1] ?? m[3]}${m[2] ?? m[4] ?? ""}`);
      }
    };
    for (const dir of ["app", "components", "server"]) walk(path.join(process.cwd(), dir));
    expect(found).toEqual(expect.arrayContaining(["/docs/debugging-guide", "/docs/security"]));
    for (const url of found) expectSection(url);
  });

  it.each(pages)("every link from %s.md to a doc section", (page) => {
    const hrefs = [...html(page).matchAll(/<a href="([^"]+)"/g)].map((m) => m[1].replaceAll("&amp;", "&"));
    for (const href of hrefs) {
      if (href.startsWith("#")) expectSection(`/docs/${page}${href}`);
      else if (href.startsWith("/docs/")) expectSection(href);
    }
  });
});

describe("the rendered docs", () => {
  it("keep the pinned anchors of the debugging guide on their headings, and slug the rest as GitHub does", () => {
    const guide = html("debugging-guide");
    expect(guide).toContain('<h2 id="latency-breach"');
    expect(guide).toContain('<h2 id="error-rate-breach"');
    expect(guide).not.toContain("&lt;a id=");
    expect(headingIds("lab")).toContain("what-each-piece-is");
  });

  it("rewrite links between docs to /docs and drop links to files that have no page", () => {
    expect(docHref("analysis.md", pages)).toBe("/docs/analysis");
    expect(docHref("configuration.md#metrics", pages)).toBe("/docs/configuration#metrics");
    expect(docHref("#run-it", pages)).toBe("#run-it");
    expect(docHref("https://example.com/x.md", pages)).toBe("https://example.com/x.md");
    expect(docHref("../README.md#simulator-faults", pages)).toBeNull();
    expect(docHref("ci/multi-region-deployment.yml", pages)).toBeNull();
    expect(docHref("missing-page.md", pages)).toBeNull();
  });

  it("are sanitised: no raw HTML, script, event handler or javascript: URL survives", () => {
    const out = renderToStaticMarkup(
      createElement(DocMarkdown, {
        markdown: '# T\n\n<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n[x](javascript:alert(1)) <b onclick="x()">b</b>\n',
        pages,
      }),
    );
    expect(out).not.toMatch(/<script|onerror|onclick|javascript:|<img|<b[ >]/i);
    expect(out).toContain('<h1 id="t"');
  });
});
