/**
 * A sent card as readable HTML (./card-preview-model.ts reads it), with the raw JSON folded underneath. Text is
 * rendered as React text, never as HTML, and only http(s)/mailto links become links.
 */
import type { ReactNode } from "react";
import type { TextLine } from "./card-inline-text";
import { previewCard, type PreviewBlock, type Tone } from "./card-preview-model";

const LINK =
  "rounded text-sky-700 underline underline-offset-2 hover:text-sky-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
const SUMMARY =
  "w-fit cursor-pointer rounded text-sm font-medium text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
const TONE: Record<Tone, string> = {
  default: "text-slate-800",
  attention: "text-red-700",
  good: "text-emerald-700",
  warning: "text-amber-700",
  accent: "text-sky-700",
};
const SIZE = { small: "text-xs", default: "text-sm", large: "text-base" } as const;
const FORMAT_WORDS = { slack: "Slack Block Kit message", teams: "Teams Adaptive Card", unknown: "message" } as const;

function Lines({ lines }: { lines: TextLine[] }) {
  return (
    <>
      {lines.map((line, i) => (
        <span key={i} className="block min-h-[1em] break-words">
          {line.map((span, j) => {
            let node: ReactNode = span.text;
            if (span.code) node = <code className="rounded bg-slate-100 px-1 font-mono text-[0.9em] text-slate-800">{node}</code>;
            if (span.bold) node = <strong className="font-semibold">{node}</strong>;
            if (span.italic) node = <em>{node}</em>;
            if (span.strike) node = <s>{node}</s>;
            if (span.href) {
              node = (
                <a href={span.href} target="_blank" rel="noreferrer" className={LINK}>
                  {node}
                </a>
              );
            }
            return <span key={j}>{node}</span>;
          })}
        </span>
      ))}
    </>
  );
}

function Block({ block }: { block: PreviewBlock }) {
  switch (block.kind) {
    case "header":
      return (
        <p className="text-base font-semibold text-slate-900">
          <Lines lines={block.lines} />
        </p>
      );
    case "text":
      return (
        <p className={[SIZE[block.size], block.bold ? "font-semibold" : null, block.subtle ? "text-slate-500" : TONE[block.tone]].filter(Boolean).join(" ")}>
          <Lines lines={block.lines} />
        </p>
      );
    case "fields":
      return (
        <div className="grid grid-cols-1 gap-2 text-sm text-slate-800 sm:grid-cols-2">
          {block.fields.map((field, i) => (
            <p key={i}>
              <Lines lines={field} />
            </p>
          ))}
        </div>
      );
    case "facts":
      return (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 text-sm">
          {block.facts.map((fact, i) => (
            <div key={i} className="contents">
              <dt className="font-semibold text-slate-700">
                <Lines lines={fact.title} />
              </dt>
              <dd className="text-slate-800">
                <Lines lines={fact.value} />
              </dd>
            </div>
          ))}
        </dl>
      );
    case "context":
      return (
        <p className="text-xs text-slate-500">
          <Lines lines={block.lines} />
        </p>
      );
    case "links":
      return (
        <ul className="flex flex-wrap gap-2 text-sm">
          {block.links.map((link, i) => (
            <li key={i}>
              {link.href ? (
                <a
                  href={link.href}
                  target="_blank"
                  rel="noreferrer"
                  className={`inline-block border border-slate-300 bg-white px-2.5 py-1 no-underline ${LINK}`}
                >
                  {link.label}
                </a>
              ) : (
                <span className="inline-block rounded border border-slate-200 px-2.5 py-1 text-slate-500">{link.label}</span>
              )}
            </li>
          ))}
        </ul>
      );
    case "divider":
      return <hr className="border-slate-200" />;
    case "note":
      return <p className="text-xs italic text-slate-500">{block.text}</p>;
  }
}

export function CardPreview({ payload }: { payload: unknown }) {
  const preview = previewCard(payload);
  return (
    <div className="flex flex-col gap-2">
      {preview.blocks.length > 0 ? (
        <div
          aria-label={`Preview of the ${FORMAT_WORDS[preview.format]}`}
          className="flex flex-col gap-2 rounded-md border border-slate-200 border-l-4 border-l-slate-400 bg-white p-3"
        >
          {preview.blocks.map((block, i) => (
            <Block key={i} block={block} />
          ))}
        </div>
      ) : (
        <p className="text-sm text-slate-500">This payload is neither a Slack nor a Teams card; its JSON is below.</p>
      )}
      {preview.fallback ? <p className="text-xs text-slate-500">Notification text: {preview.fallback}</p> : null}
      <details className="text-xs">
        <summary className={SUMMARY}>Raw JSON</summary>
        <pre
          tabIndex={0}
          className="mt-1 max-h-80 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        >
          {JSON.stringify(payload, null, 2)}
        </pre>
      </details>
    </div>
  );
}
