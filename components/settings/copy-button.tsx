"use client";
/**
 * Copies a secret shown once (a new API token) to the clipboard and says so in a polite live region, so a
 * screen reader hears "Copied" too. When the clipboard is refused (an http page, a denied permission) it says
 * to select the text instead.
 */
import { useState } from "react";

type Outcome = "idle" | "copied" | "failed";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [outcome, setOutcome] = useState<Outcome>("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome("copied");
    } catch {
      setOutcome("failed");
    }
  };
  return (
    <span className="inline-flex items-center gap-3">
      <button
        type="button"
        onClick={copy}
        aria-label={label}
        data-testid="copy-button"
        className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
      >
        Copy
      </button>
      <span role="status" aria-live="polite" data-testid="copy-outcome" className="text-sm text-slate-700">
        {outcome === "copied" ? "Copied" : outcome === "failed" ? "Could not copy: select the token and copy it by hand." : ""}
      </span>
    </span>
  );
}
