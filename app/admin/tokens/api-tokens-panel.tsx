"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CopyButton } from "@/components/settings/copy-button";
import { useTRPC } from "@/components/trpc/client";
import { formatTimestamp } from "@/lib/format";

const when = (ms: number | null) => (ms === null ? "never" : formatTimestamp(ms));
type Scope = "read" | "deploy" | "rollback";
const SCOPES: Record<Scope, string> = { read: "read", deploy: "deploy (start, pause, resume, promote, abort)", rollback: "rollback (roll back only)" };

/** Active, revoked or expired, in words, with the date that matters. */
function status(t: { revokedAt: number | null; expiresAt: number | null }, now: number): string {
  if (t.revokedAt !== null) return `revoked ${when(t.revokedAt)}`;
  if (t.expiresAt === null || t.expiresAt <= now) return `expired ${when(t.expiresAt)}`;
  return `active, expires ${when(t.expiresAt)}`;
}
const button =
  "rounded-md px-3 py-1 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50";

export function ApiTokensPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: tokens } = useSuspenseQuery(trpc.tokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(trpc.tokens.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  const [scope, setScope] = useState<Scope>("read");
  const [days, setDays] = useState(90);
  const [now] = useState(() => Date.now());

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, scope, expiresInDays: days }, { onSuccess: () => setName("") });
  };

  return (
    <section className="mt-6 space-y-4">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <label className="text-sm">
          <span className="block font-medium">Name</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
            placeholder="GitHub Actions"
            className="mt-1 rounded-md border border-slate-300 px-2 py-1"
          />
        </label>
        <label className="min-w-0 max-w-full text-sm">
          <span className="block font-medium">Scope</span>
          <select
            value={scope}
            onChange={(e) => setScope(e.target.value as Scope)}
            className="mt-1 w-full max-w-full rounded-md border border-slate-300 px-2 py-1"
          >
            {(Object.keys(SCOPES) as Scope[]).map((s) => (
              <option key={s} value={s}>
                {SCOPES[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="block font-medium">Expires after (days)</span>
          <input
            type="number"
            min={1}
            max={366}
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
            required
            className="mt-1 w-24 rounded-md border border-slate-300 px-2 py-1"
          />
        </label>
        <button type="submit" disabled={create.isPending || name.trim() === ""} className={`${button} bg-blue-700 text-white hover:bg-blue-600`}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
        {create.error ? (
          <span role="alert" className="text-sm text-red-800">
            {create.error.message}
          </span>
        ) : null}
      </form>

      {create.data ? (
        <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm">
          <p className="font-medium">Copy the token now: it will not be shown again.</p>
          <code data-testid="new-token" className="mt-2 block break-all rounded bg-white p-2">
            {create.data.token}
          </code>
          <p className="mt-2">
            <CopyButton text={create.data.token} label={`Copy the token ${create.data.summary.name}`} />
          </p>
          <p className="mt-2 text-slate-700">It expires {when(create.data.summary.expiresAt)}.</p>
        </div>
      ) : null}

      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm">
          <caption className="sr-only">API tokens</caption>
          <thead className="bg-slate-100 text-left">
            <tr>
              {["Name", "Token", "Scope", "Created", "Last used", "Status"].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-semibold">
                  {h}
                </th>
              ))}
              <th scope="col" className="px-3 py-2">
                <span className="sr-only">Revoke</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.length === 0 ? (
              <tr>
                <td colSpan={7} className="px-3 py-4 text-slate-600">
                  No tokens yet.
                </td>
              </tr>
            ) : (
              tokens.map((t) => (
                <tr key={t.id} className="border-t border-slate-200" data-testid={`token-row-${t.id}`}>
                  <th scope="row" className="px-3 py-2 text-left font-medium">
                    {t.name}
                  </th>
                  <td className="px-3 py-2 font-mono text-slate-600">{t.prefix}…</td>
                  <td className="px-3 py-2">{t.scope === "write" ? "write (deprecated: deploy + rollback)" : t.scope}</td>
                  <td className="px-3 py-2 text-slate-600">{when(t.createdAt)}</td>
                  <td className="px-3 py-2 text-slate-600">{when(t.lastUsedAt)}</td>
                  <td className="px-3 py-2">{status(t, now)}</td>
                  <td className="px-3 py-2">
                    {t.revokedAt === null ? (
                      <button
                        type="button"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate({ tokenId: t.id })}
                        aria-label={`Revoke ${t.name}`}
                        className={`${button} border border-red-300 text-red-800 hover:bg-red-50`}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {revoke.error ? (
        <p role="alert" className="text-sm text-red-800">
          {revoke.error.message}
        </p>
      ) : null}
    </section>
  );
}
