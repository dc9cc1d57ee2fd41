import type { Metadata } from "next";
import Link from "next/link";
import { AuditList } from "@/components/audit/audit-list";
import { AuditFilters, type AuditFilterValues } from "@/components/audit/audit-filters";
import { Forbidden } from "@/components/ui/forbidden";
import { api } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { getConfig } from "@/server/config";

export const metadata: Metadata = { title: "Audit log · Flightdeck" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

const text = (v: string | string[] | undefined) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const ms = (v: string | string[] | undefined) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { user, allowed, requiredRoles } = await requireUser("read", "/audit");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  const search = await searchParams;
  const filters: AuditFilterValues = {
    actor: text(search.actor),
    regionId: text(search.region),
    type: text(search.type),
    from: ms(search.from),
    to: ms(search.to),
  };
  const cursor = ms(search.cursor);
  const page = await api.audit.list({ ...filters, cursor: cursor && cursor > 0 ? cursor : undefined, limit: 50 });
  const regions = getConfig().config.regions.map((r) => ({ id: r.id, name: r.name }));

  const next = new URLSearchParams();
  for (const [key, value] of Object.entries({ actor: filters.actor, region: filters.regionId, type: filters.type, from: filters.from, to: filters.to })) {
    if (value !== undefined) next.set(key, String(value));
  }
  if (page.nextCursor) next.set("cursor", String(page.nextCursor));

  return (
    <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
      <h1 className="text-2xl font-semibold text-slate-900">Audit log</h1>
      <p className="mt-1 text-sm text-slate-600">Everything that happened, newest first. The log is append-only: nothing here can be changed or deleted.</p>
      <AuditFilters initial={filters} regions={regions} />

      {page.items.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No event matches these filters.</p>
      ) : (
        <AuditList items={page.items} />
      )}
      <nav aria-label="Pages" className="mt-4 flex gap-4 text-sm">
        {cursor ? (
          <Link
            href={`/audit?${new URLSearchParams([...next].filter(([k]) => k !== "cursor"))}`}
            className="rounded-sm text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-600"
          >
            Newest
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link href={`/audit?${next}`} className="rounded-sm text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-600">
            Older events →
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
