"use client";
/** "Send test card": the spec's example incident through the real sender, with each webhook's answer. */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";

type Channel = "all" | "incidents" | "deployments";

export function SendTestCard() {
  const trpc = useTRPC();
  const [channel, setChannel] = useState<Channel>("all");
  const send = useMutation(trpc.settings.sendTestCard.mutationOptions());

  return (
    <div>
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-xs text-slate-600">
          Channels
          <select
            value={channel}
            onChange={(e) => setChannel(e.target.value as Channel)}
            className="mt-1 block rounded-md border border-slate-300 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-blue-600"
          >
            <option value="all">All configured</option>
            <option value="incidents">Incidents</option>
            <option value="deployments">Deployments</option>
          </select>
        </label>
        <button
          type="button"
          data-testid="send-test-card"
          disabled={send.isPending}
          onClick={() => send.mutate({ channel: channel === "all" ? undefined : channel })}
          className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {send.isPending ? "Sending…" : "Send test card"}
        </button>
      </div>
      <div role="status" className="mt-3 text-sm">
        {send.error ? <p className="text-red-800">{send.error.message}</p> : null}
        {send.data ? (
          <>
            <p className={send.data.configured ? "text-slate-800" : "text-amber-800"}>{send.data.message}</p>
            <ul className="mt-2 space-y-1">
              {send.data.results.map((r) => (
                <li key={r.channelId} className={r.ok ? "text-emerald-800" : "text-red-800"}>
                  <span className="font-medium">{r.ok ? "sent" : "failed"}</span> {r.channelId} ({r.kind}, {r.purpose}
                  {r.name ? `, ${r.name}` : ""}): {r.status !== null ? `HTTP ${r.status}` : ""}{" "}
                  {r.body ? <code className="break-all text-xs">{r.body}</code> : null}
                  {r.error ? <span className="block text-xs">{r.error}</span> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </div>
  );
}
