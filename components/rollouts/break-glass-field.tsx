"use client";
/**
 * On the start form during a freeze: which freeze and until when, so nobody is surprised by the refusal, and for
 * an sre or admin the break-glass reason that starts this one rollout anyway (recorded on it and in its events).
 */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";

export function BreakGlassField({ value, onChange }: { value: string; onChange: (reason: string) => void }) {
  const trpc = useTRPC();
  const status = useQuery(trpc.freeze.status.queryOptions());
  if (!status.data?.frozen) return null;
  return (
    <div className="flex flex-col gap-1.5 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="start-freeze-note">
      {status.data.freezes.map((f) => (
        <p key={`${f.kind}-${f.id}`}>Frozen: {f.description}.</p>
      ))}
      {status.data.canBreakGlass ? (
        <label className="flex flex-col gap-1">
          <span className="font-medium">Break-glass reason (starts this rollout anyway; recorded)</span>
          <input
            data-testid="break-glass-reason"
            value={value}
            onChange={(e) => onChange(e.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600"
          />
        </label>
      ) : (
        <p>Only an sre or admin may start a rollout during a freeze (break-glass).</p>
      )}
    </div>
  );
}
