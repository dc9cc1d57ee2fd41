"use client";
/**
 * On the start form: which strategies the service's migration path opens now and why (delayed first, parallel
 * after proven runs), so a refused parallel start is no surprise, and for an admin the override reason that
 * starts a strategy not open yet (recorded on the rollout and in its events). docs/policies.md#migration-path
 */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { STRATEGY_WORDS } from "./new-rollout-values";

type Props = { serviceId: string; strategy: keyof typeof STRATEGY_WORDS; value: string; onChange: (reason: string) => void };

export function StrategyPolicyField({ serviceId, strategy, value, onChange }: Props) {
  const trpc = useTRPC();
  const view = useQuery(trpc.rollouts.strategyVerdicts.queryOptions({ serviceId }));
  if (!view.data) return null;
  const chosen = view.data.verdicts.find((v) => v.strategy === strategy);
  const closed = chosen !== undefined && !chosen.open;
  return (
    <section
      aria-label="Strategies open for this service"
      data-testid="strategy-policy"
      className={`flex flex-col gap-1.5 rounded-md border p-3 text-sm ${closed ? "border-amber-300 bg-amber-50 text-amber-950" : "border-slate-200 bg-slate-50 text-slate-700"}`}
    >
      <p className="font-medium">Strategies open for this service (migration path)</p>
      <ul className="flex flex-col gap-1">
        {view.data.verdicts.map((v) => (
          <li key={v.strategy} data-testid={`strategy-verdict-${v.strategy}`} data-open={v.open}>
            <span className="font-medium">
              {STRATEGY_WORDS[v.strategy].label}: {v.open ? "open" : "not open yet"}.
            </span>{" "}
            {v.reason.replace(/^Open: /, "")}
          </li>
        ))}
      </ul>
      {closed && view.data.canOverride ? (
        <label className="flex flex-col gap-1">
          <span className="font-medium">Override reason (admin: starts {STRATEGY_WORDS[strategy].label.toLowerCase()} anyway; recorded)</span>
          <input
            data-testid="strategy-override-reason"
            value={value}
            onChange={(e) => onChange(e.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600"
          />
        </label>
      ) : closed ? (
        <p>Only an admin may start it before the path opens it (with a reason, recorded).</p>
      ) : null}
    </section>
  );
}
