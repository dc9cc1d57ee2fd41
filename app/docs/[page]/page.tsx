import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DocMarkdown } from "../doc-markdown";
import { docPages, docTitle, readDoc } from "../doc-files";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ page: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { page } = await params;
  const markdown = readDoc(page);
  return { title: `${markdown ? docTitle(markdown, page) : "No such page"} · Docs · Flightdeck` };
}

/** One doc, rendered on the server; `/docs/<page>#<anchor>` opens at the section a card or another doc links to. */
export default async function DocPage({ params }: Params) {
  const { page } = await params;
  const markdown = readDoc(page);
  if (markdown === null) notFound();
  return (
    <main className="mx-auto max-w-3xl px-4 py-6 sm:px-6 sm:py-8">
      <p className="mb-4 text-sm">
        <Link href="/docs" className="rounded-sm text-sky-800 underline hover:text-sky-700 focus-visible:outline-2 focus-visible:outline-sky-600">
          ← All docs
        </Link>
      </p>
      <article className="text-slate-800">
        <DocMarkdown markdown={markdown} pages={docPages()} />
      </article>
    </main>
  );
}
