import type { Metadata } from "next";
import Link from "next/link";
import { HistoryList } from "@/components/rollouts/history-list";
import { Forbidden } from "@/components/ui/forbidden";
import { api } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { can } from "@/server/auth/roles";
import { getConfig } from "@/server/config";
import { ROLLOUT_STATUSES } from "@/server/services/rollout-status";
import { readHistoryBefore } from "@/server/services/rollout-view";

export const metadata: Metadata = { title: "Rollouts · Flightdeck" };
// Reads the session and the database on every request.
export const dynamic = "force-dynamic";

const STATUSES = ROLLOUT_STATUSES;
type Status = (typeof STATUSES)[number];

const FIELD =
  "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600";

const one = (value: string | string[] | undefined) => (typeof value === "string" && value !== "" ? value : undefined);

export default async function RolloutsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, allowed, requiredRoles } = await requireUser("read", "/rollouts");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  const params = await searchParams;
  const { config } = getConfig();
  const status = STATUSES.find((s) => s === one(params.status)) as Status | undefined;
  const serviceId = config.services.find((s) => s.id === one(params.service))?.id;
  const regionId = config.regions.find((r) => r.id === one(params.region))?.id;
  const page = await api.rollouts.list({ status, serviceId, regionId, before: readHistoryBefore(one(params.before)) });

  const older = new URLSearchParams();
  if (status) older.set("status", status);
  if (serviceId) older.set("service", serviceId);
  if (regionId) older.set("region", regionId);
  if (page.nextBefore !== null) older.set("before", page.nextBefore);

  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-5 px-4 py-6 sm:px-6 sm:py-8">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Rollouts</h1>
          <p className="mt-1 text-sm text-slate-600">Every rollout, newest first.</p>
        </div>
        {/* Only for those who may start; the page and the server check again. */}
        {can(user.roles, "rollout.start") ? (
          <Link
            href="/rollouts/new"
            className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
          >
            Start a rollout
          </Link>
        ) : null}
      </div>
      <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter rollouts">
        <FilterSelect label="Status" name="status" value={status} options={STATUSES.map((s) => ({ value: s, label: s }))} />
        <FilterSelect label="Service" name="service" value={serviceId} options={config.services.map((s) => ({ value: s.id, label: s.name }))} />
        <FilterSelect label="Region" name="region" value={regionId} options={config.regions.map((r) => ({ value: r.id, label: r.name }))} />
        <button
          type="submit"
          className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        >
          Filter
        </button>
      </form>
      <HistoryList items={page.items} />
      {page.nextBefore !== null ? (
        <Link
          href={`/rollouts?${older.toString()}`}
          className="w-fit rounded text-sm text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          Older rollouts →
        </Link>
      ) : null}
    </main>
  );
}

/** One filter of the history: "any" or one of the options, sent as a GET parameter. */
function FilterSelect({
  label,
  name,
  value,
  options,
}: {
  label: string;
  name: string;
  value: string | undefined;
  options: Array<{ value: string; label: string }>;
}) {
  return (
    <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
      {label}
      <select name={name} defaultValue={value ?? ""} className={FIELD}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
