/**
 * The pages of `/docs`: one per `docs/<page>.md` of the project, read from disk at each request so the app
 * shows the docs it ships with. A page name is only ever one of the files listed here, never a path from the
 * URL. Links between docs (`security.md#demo-mode`) become `/docs/security#demo-mode`; links to other files of the
 * repository (`ci/x.yml`, `../README.md`) have no page and are shown without a link.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const DOCS_DIR = path.join(process.cwd(), "docs");
const PAGE = /^[a-z0-9][a-z0-9-]*$/;

/** Every page name: the `.md` files of docs/, sorted. */
export function docPages(dir: string = DOCS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md") && PAGE.test(f.slice(0, -3)))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** The Markdown of a page, or null when there is no such page. */
export function readDoc(page: string, dir: string = DOCS_DIR): string | null {
  if (!docPages(dir).includes(page)) return null;
  return readFileSync(path.join(dir, `${page}.md`), "utf8");
}

/** The page's title: its first `# ` heading, else its name. */
export function docTitle(markdown: string, page: string): string {
  return /^# (.+)$/m.exec(markdown)?.[1].trim() ?? page;
}

/**
 * Where a link in a doc goes in the app: absolute URLs and `#fragment` as they are, `<page>.md[#fragment]` to
 * `/docs/<page>[#fragment]`, anything else relative (another file of the repository) to null.
 */
export function docHref(href: string, pages: readonly string[]): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("#") || href.startsWith("/")) return href;
  const m = /^(?:\.\/)?([a-z0-9][a-z0-9-]*)\.md(#[^\s]*)?$/.exec(href);
  if (m && pages.includes(m[1])) return `/docs/${m[1]}${m[2] ?? ""}`;
  return null;
}
