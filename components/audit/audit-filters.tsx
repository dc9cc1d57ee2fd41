"use client";
/**
 * The audit log's filters. Times are picked in the viewer's zone and sent as unix ms, so the server never
 * guesses a zone; the filters live in the URL, so a filtered view can be shared.
 */
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

export type AuditFilterValues = { actor?: string; regionId?: string; type?: string; from?: number; to?: number };

const FIELD = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-blue-600";

/** `datetime-local` wants local wall time without a zone. */
function toLocalInput(ms?: number): string {
  if (ms === undefined) return "";
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function AuditFilters({ initial, regions }: { initial: AuditFilterValues; regions: { id: string; name: string }[] }) {
  const router = useRouter();
  const [actor, setActor] = useState(initial.actor ?? "");
  const [regionId, setRegionId] = useState(initial.regionId ?? "");
  const [type, setType] = useState(initial.type ?? "");
  const [from, setFrom] = useState(toLocalInput(initial.from));
  const [to, setTo] = useState(toLocalInput(initial.to));

  function submit(e: FormEvent) {
    e.preventDefault();
    const params = new URLSearchParams();
    if (actor.trim()) params.set("actor", actor.trim());
    if (regionId) params.set("region", regionId);
    if (type.trim()) params.set("type", type.trim());
    if (from) params.set("from", String(new Date(from).getTime()));
    // The picker has minute precision: "to 14:05" includes everything up to 14:05:59.999.
    if (to) params.set("to", String(new Date(to).getTime() + 59_999));
    router.push(`/audit${params.size ? `?${params}` : ""}`);
  }

  return (
    <form onSubmit={submit} className="mt-6 grid grid-cols-1 gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-6 lg:items-end">
      <label className="text-xs text-slate-600">
        Actor
        <input value={actor} onChange={(e) => setActor(e.target.value)} placeholder="Ada, ci-lab, engine, user:" className={FIELD} />
      </label>
      <label className="text-xs text-slate-600">
        Region
        <select value={regionId} onChange={(e) => setRegionId(e.target.value)} className={FIELD}>
          <option value="">All regions</option>
          {regions.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-slate-600">
        Type
        <input value={type} onChange={(e) => setType(e.target.value)} placeholder="approval. or stage.advanced" className={FIELD} />
      </label>
      <label className="text-xs text-slate-600">
        From
        <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} className={FIELD} />
      </label>
      <label className="text-xs text-slate-600">
        To
        <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} className={FIELD} />
      </label>
      <div className="flex gap-2">
        <button
          type="submit"
          className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
        >
          Filter
        </button>
        <button
          type="button"
          onClick={() => router.push("/audit")}
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
        >
          Clear
        </button>
      </div>
    </form>
  );
}
