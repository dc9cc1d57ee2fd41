"use client";
/**
 * Announces what changed, politely: given one line per thing ("us-east: Canary 25 % · stage 2 of 5"), it says the
 * lines that differ from the previous render in an aria-live region, so a screen reader hears a phase or stage
 * change without losing its place. Nothing is said on the first render, and nothing when only other data changed.
 */
import { useState } from "react";

export function ChangeAnnouncer({ lines, label }: { lines: Record<string, string>; label: string }) {
  const signature = JSON.stringify(lines);
  const [seen, setSeen] = useState({ signature, lines });
  const [message, setMessage] = useState("");
  // Derived from the previous render (React's "storing information from previous renders"), not in an effect.
  if (seen.signature !== signature) {
    const changed = Object.keys(lines).filter((key) => lines[key] !== seen.lines[key]);
    setSeen({ signature, lines });
    if (changed.length > 0) setMessage(changed.map((key) => lines[key]).join(". "));
  }
  return (
    <div role="status" aria-live="polite" aria-label={label} data-testid="change-announcer" className="sr-only">
      {message}
    </div>
  );
}
