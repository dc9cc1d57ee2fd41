import type { Metadata } from "next";
import Link from "next/link";
import { docPages, docTitle, readDoc } from "./doc-files";

export const metadata: Metadata = { title: "Docs · Flightdeck" };
export const dynamic = "force-dynamic";

/**
 * The docs Flightdeck ships with (docs/*.md), readable without signing in: a runbook must open from a card
 * even when sign-in itself is what is broken, and these pages hold nothing a fleet's config adds.
 */
export default function DocsIndex() {
  const pages = docPages().map((page) => ({ page, title: docTitle(readDoc(page) ?? "", page) }));
  return (
    <main className="mx-auto max-w-3xl px-4 py-6 sm:px-6 sm:py-8">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Docs</h1>
      <p className="mt-2 text-slate-700">
        Start with the{" "}
        <Link href="/docs/debugging-guide" className="rounded-sm text-sky-800 underline focus-visible:outline-2 focus-visible:outline-sky-600">
          debugging guide and runbooks
        </Link>{" "}
        when a card brought you here.
      </p>
      <ul className="mt-6 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {pages.map(({ page, title }) => (
          <li key={page}>
            <Link
              href={`/docs/${page}`}
              className="flex items-baseline justify-between gap-4 px-4 py-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600"
            >
              <span className="font-medium text-slate-900">{title}</span>
              <span className="text-sm text-slate-600">{page}.md</span>
            </Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
