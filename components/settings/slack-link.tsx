"use client";
/**
 * Settings → Slack: the signed-in person pastes their Slack member id once, so the buttons on Slack cards act as
 * them (docs/notifications.md "Slack app: buttons"). Talks to /api/integrations/slack/link (their own link only).
 */
import { useEffect, useState } from "react";

type LinkAnswer = { slackUserId: string | null; buttonsOn: boolean; error?: string };

async function call(method: "GET" | "PUT" | "DELETE", body?: unknown): Promise<LinkAnswer> {
  const res = await fetch("/api/integrations/slack/link", {
    method,
    headers: body ? { "content-type": "application/json" } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json().catch(() => ({}))) as LinkAnswer & { details?: Array<{ message: string }> };
  if (!res.ok) throw new Error(json.details?.map((d) => d.message).join("; ") || json.error || `HTTP ${res.status}`);
  return json;
}

export function SlackLink() {
  const [state, setState] = useState<LinkAnswer | null>(null);
  const [draft, setDraft] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call("GET").then(setState, (err: Error) => setMessage({ ok: false, text: err.message }));
  }, []);

  const run = async (method: "PUT" | "DELETE") => {
    setBusy(true);
    try {
      const next = await call(method, method === "PUT" ? { slackUserId: draft } : undefined);
      setState(next);
      setDraft("");
      setMessage({ ok: true, text: next.slackUserId ? `Linked to Slack member ${next.slackUserId}.` : "Unlinked: Slack buttons no longer act as you." });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="slack-link">
      <p className="text-sm text-slate-700">
        {state === null ? "Reading…" : state.slackUserId ? `Linked to Slack member ${state.slackUserId}.` : "Not linked: Slack buttons cannot act as you."}
        {state && !state.buttonsOn ? " (Slack buttons are off on this server: SLACK_SIGNING_SECRET is not set.)" : ""}
      </p>
      <form
        className="mt-2 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void run("PUT");
        }}
      >
        <label className="text-xs text-slate-600">
          Slack member id
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="U04ABC123"
            className="mt-1 block rounded-md border border-slate-300 px-2 py-1 font-mono text-sm focus-visible:outline-2 focus-visible:outline-blue-600"
          />
        </label>
        <button
          type="submit"
          disabled={busy || draft.trim() === ""}
          className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50"
        >
          Link
        </button>
        {state?.slackUserId ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void run("DELETE")}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600 disabled:opacity-50"
          >
            Unlink
          </button>
        ) : null}
      </form>
      <p role="status" className={`mt-2 text-sm ${message?.ok ? "text-emerald-800" : "text-red-800"}`}>
        {message?.text ?? ""}
      </p>
    </div>
  );
}
