/**
 * One doc rendered on the server (nothing of it reaches the browser's bundle): GitHub-flavoured Markdown,
 * sanitised with rehype-sanitize's default schema (raw HTML, scripts, event handlers and `javascript:` URLs
 * dropped), then heading ids added from trusted sources only: the stable anchors the docs pin with
 * `<a id="x"></a>` above a heading (the ones cards link to, kept when a title changes), and GitHub's slugs
 * (rehype-slug) for the rest, so `#what-each-piece-is` reads as it does on GitHub. Links between docs go to
 * `/docs/<page>`.
 */
import Markdown, { type Components } from "react-markdown";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import rehypeSlug from "rehype-slug";
import remarkGfm from "remark-gfm";
import { docHref } from "./doc-files";

type Node = { type: string; value?: string; tagName?: string; children?: Node[]; properties?: Record<string, unknown>; data?: Record<string, unknown> };

const MARKER = /^<a id="([a-z0-9][a-z0-9-]*)"><\/a>$/;
const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"];

/** The text of an HTML-only block: `<a id="x"></a>` on its own line parses as a paragraph of two inline HTML nodes. */
function markerText(node: Node): string {
  if (node.type === "html") return node.value?.trim() ?? "";
  if (node.type !== "paragraph" || !node.children?.every((c) => c.type === "html")) return "";
  return node.children
    .map((c) => c.value ?? "")
    .join("")
    .trim();
}

/** `<a id="x"></a>` right above a heading becomes that heading's stable anchor (carried through sanitising as data-stable-anchor). */
function remarkStableAnchors() {
  return (tree: Node) => {
    const children = tree.children ?? [];
    for (let i = children.length - 2; i >= 0; i--) {
      const id = MARKER.exec(markerText(children[i]))?.[1];
      const heading = children[i + 1];
      if (!id || heading.type !== "heading") continue;
      const data = heading.data ?? {};
      heading.data = { ...data, hProperties: { ...(data.hProperties as object), dataStableAnchor: id } };
      children.splice(i, 1);
    }
  };
}

/** After sanitising: a heading's stable anchor is its id (rehype-slug then gives ids to the headings without one). */
function rehypeStableIds() {
  const walk = (node: Node) => {
    const anchor = node.properties?.dataStableAnchor;
    if (node.properties && typeof anchor === "string") {
      node.properties.id = anchor;
      delete node.properties.dataStableAnchor;
    }
    node.children?.forEach(walk);
  };
  return walk;
}

const schema = {
  ...defaultSchema,
  attributes: { ...defaultSchema.attributes, ...Object.fromEntries(HEADINGS.map((h) => [h, [...(defaultSchema.attributes?.[h] ?? []), "dataStableAnchor"]])) },
};

const link = "rounded-sm text-sky-800 underline decoration-sky-800/40 hover:decoration-sky-800 focus-visible:outline-2 focus-visible:outline-sky-600";
const heading = "scroll-mt-4 font-semibold tracking-tight text-slate-900";

function components(pages: readonly string[]): Components {
  return {
    h1: (p) => <h1 {...strip(p)} className={`${heading} text-2xl`} />,
    h2: (p) => <h2 {...strip(p)} className={`${heading} mt-10 border-b border-slate-200 pb-1 text-xl`} />,
    h3: (p) => <h3 {...strip(p)} className={`${heading} mt-8 text-lg`} />,
    h4: (p) => <h4 {...strip(p)} className={`${heading} mt-6 text-base`} />,
    p: (p) => <p {...strip(p)} className="my-3 leading-7" />,
    ul: (p) => <ul {...strip(p)} className="my-3 list-disc space-y-1 pl-6" />,
    ol: (p) => <ol {...strip(p)} className="my-3 list-decimal space-y-1 pl-6" />,
    blockquote: (p) => <blockquote {...strip(p)} className="my-4 border-l-4 border-slate-300 pl-4 text-slate-700" />,
    hr: () => <hr className="my-8 border-slate-200" />,
    // Long lines wrap instead of scrolling: a region that scrolls must be reachable by keyboard, and a phone has 375 px.
    pre: (p) => (
      <pre
        {...strip(p)}
        className="my-4 rounded-md bg-slate-900 p-4 text-sm leading-6 break-words whitespace-pre-wrap text-slate-100 [&_code]:bg-transparent [&_code]:p-0"
      />
    ),
    code: (p) => <code {...strip(p)} className="rounded bg-slate-100 px-1 py-0.5 text-[0.9em] break-words text-slate-900" />,
    // A wide table scrolls sideways in its own box, which takes focus so the keyboard can scroll it too.
    table: (p) => (
      <div
        className="my-4 overflow-x-auto rounded-sm focus-visible:outline-2 focus-visible:outline-sky-600"
        tabIndex={0}
        role="region"
        aria-label="Table (scrolls sideways)"
      >
        <table {...strip(p)} className="min-w-full border-collapse text-sm" />
      </div>
    ),
    th: (p) => <th {...strip(p)} className="border border-slate-300 bg-slate-100 px-2 py-1 text-left align-top font-semibold" />,
    td: (p) => <td {...strip(p)} className="border border-slate-300 px-2 py-1 align-top" />,
    a: ({ href, children }) => {
      const to = href ? docHref(href, pages) : null;
      // A file of the repository that is not a doc page: its words stay, without a link that would lead nowhere.
      if (to === null) return <span>{children}</span>;
      return (
        <a href={to} className={link}>
          {children}
        </a>
      );
    },
  };
}

/** react-markdown hands each component its hast node; only the element's own props go to the DOM. */
function strip<T extends { node?: unknown }>(props: T): Omit<T, "node"> {
  const rest = { ...props };
  delete rest.node;
  return rest;
}

export function DocMarkdown({ markdown, pages }: { markdown: string; pages: readonly string[] }) {
  return (
    <Markdown
      remarkPlugins={[remarkGfm, remarkStableAnchors]}
      rehypePlugins={[[rehypeSanitize, schema], rehypeStableIds, rehypeSlug]}
      components={components(pages)}
    >
      {markdown}
    </Markdown>
  );
}
