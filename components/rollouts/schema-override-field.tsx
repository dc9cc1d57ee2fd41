"use client";
/**
 * On the start form when the chosen release carries a contract migration the live release does not declare
 * readyFor (the refusal is shown beside the artifact): for an admin, the schema override reason that starts it
 * anyway, recorded on the rollout and in its events (docs/policies.md#schema-compatibility).
 */
export function SchemaOverrideField({ shown, value, onChange }: { shown: boolean; value: string; onChange: (reason: string) => void }) {
  if (!shown && value === "") return null;
  return (
    <label className="flex flex-col gap-1 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="schema-override">
      <span className="font-medium">Schema override reason (admin: starts this release anyway although the live release does not tolerate it; recorded)</span>
      <input
        data-testid="schema-override-reason"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600"
      />
    </label>
  );
}
