/**
 * The release's database migrations and the schema-compatibility verdict (docs/policies.md#schema-compatibility),
 * as reviewers on /approvals and everyone on the rollout page see them: each migration with its class, what each
 * region served when the rollout started and whether it tolerates the contract migrations, and an admin's override.
 */
import type { RouterOutputs } from "@/components/trpc/client";

type SchemaCheck = NonNullable<RouterOutputs["approvals"]["pending"][number]["schemaCheck"]>;

const CLASS_STYLE: Record<string, string> = {
  contract: "bg-red-50 text-red-800 ring-red-200",
  expand: "bg-sky-50 text-sky-800 ring-sky-200",
  none: "bg-slate-50 text-slate-700 ring-slate-200",
};

function verdictWords(check: SchemaCheck): { title: string; style: string } {
  if (check.outcome === "refused" && check.overrideReason) return { title: "Not compatible: started by an admin's override", style: "text-red-900" };
  if (check.outcome === "refused") return { title: "Not compatible", style: "text-red-900" };
  if (check.outcome === "none-declared") return { title: "No release manifest", style: "text-slate-700" };
  return { title: "Compatible", style: "text-emerald-800" };
}

export function SchemaCheckPanel({ check, className = "" }: { check: SchemaCheck | null; className?: string }) {
  if (!check) return null;
  const verdict = verdictWords(check);
  return (
    <section aria-label="Schema compatibility" data-testid="schema-check" className={className}>
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Schema compatibility</h3>
      <p className={`mt-1 text-sm font-medium ${verdict.style}`} data-testid="schema-verdict">
        {verdict.title}
      </p>
      <p className="mt-1 text-xs text-slate-700">{check.reason}</p>
      {check.overrideReason ? <p className="mt-1 text-xs text-red-900">Override reason: “{check.overrideReason}”</p> : null}
      {check.migrations.length > 0 ? (
        <ul className="mt-2 space-y-1 text-xs" aria-label="Migrations">
          {check.migrations.map((m) => (
            <li key={m.id} className="flex flex-wrap items-baseline gap-2">
              <span className={`rounded-full px-2 py-0.5 font-medium ring-1 ring-inset ${CLASS_STYLE[m.class]}`}>{m.class}</span>
              <span className="font-mono text-slate-800">{m.id}</span>
              <span className="text-slate-700">{m.description}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {check.contract.length > 0 ? (
        <ul className="mt-2 space-y-0.5 text-xs text-slate-700" aria-label="Live release per region">
          {check.regions.map((r) => (
            <li key={r.regionId} className={r.ok ? "" : "text-red-900"}>
              {r.regionId}: {r.liveVersion ? `${r.liveVersion} was live` : "nothing was live"}
              {r.liveVersion ? (r.readyFor ? `, declares readyFor ${r.readyFor}` : ", declares no readyFor") : null}
              {r.ok ? " (tolerates it)" : " (does not tolerate it)"}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
