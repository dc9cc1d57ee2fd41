import Link from "next/link";

/**
 * A friendly 404: what was not found, the likely reason, and the ways back. Shared by the app-wide page and the
 * rollout, region and doc pages, each naming the thing a person was looking for.
 */
export function NotFoundMessage({ title, children, back }: { title: string; children: React.ReactNode; back: Array<{ href: string; label: string }> }) {
  return (
    <main className="mx-auto max-w-xl px-4 py-10 sm:px-6">
      <section className="rounded-lg border border-slate-200 bg-white p-6">
        <p className="text-sm font-medium text-slate-600">404 · not found</p>
        <h1 className="mt-1 text-xl font-semibold text-slate-900">{title}</h1>
        <div className="mt-2 text-sm text-slate-700">{children}</div>
        <ul className="mt-4 flex flex-wrap gap-x-4 gap-y-2 text-sm">
          {back.map((link) => (
            <li key={link.href}>
              <Link
                href={link.href}
                className="rounded font-medium text-sky-700 underline hover:text-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
              >
                {link.label}
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
