/**
 * Numbers, durations and times as a person reads them, written once for the pages, the cards, the CLI and the
 * engine's messages, so "5.2 %" on a card is "5.2 %" on the page. Pure (no imports, no clock): the browser bundle
 * and the engine's pure machine both use it, and a test pins every form.
 */

/** Float noise away, at most two decimals: 0.30000000000000004 → "0.3", 420 → "420", 1.256 → "1.26". */
export function formatNumber(value: number): string {
  return String(Number(value.toFixed(2)));
}

/**
 * A percentage's number, two significant digits below 10 and at most one decimal above: 5.172413793103449 → "5.2",
 * 0.04 → "0.04", 0.0123 → "0.012", 34.26 → "34.3", 25 → "25", 100 → "100".
 */
export function formatPercentNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  return Math.abs(value) < 10 ? String(Number(value.toPrecision(2))) : String(Number(value.toFixed(1)));
}

/** "5.2 %": the pages' and the CLI's form (a space before the unit, as SI writes it). */
export function formatPercent(value: number): string {
  return `${formatPercentNumber(value)} %`;
}

/** Milliseconds of latency: whole above 10 ms ("420 ms"), two significant digits below ("4.2 ms"). */
export function formatMillisNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 10 ? String(Math.round(value)) : String(Number(value.toPrecision(2)));
}

export type MeasureUnit = "%" | "ms" | "status";

/** A measured value with its unit: "5.2 %", "420 ms", "503" (an HTTP status has no unit). `compact` drops the space ("5.2%"), as the cards write it. */
export function formatMeasure(value: number, unit: MeasureUnit, compact = false): string {
  if (unit === "status") return String(value);
  const space = compact ? "" : " ";
  return unit === "%" ? `${formatPercentNumber(value)}${space}%` : `${formatMillisNumber(value)}${space}ms`;
}

/** "1,000". */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** "p = 0.034", "p < 0.001". */
export function formatPValue(p: number): string {
  return p < 0.001 ? "p < 0.001" : `p = ${Number(p.toFixed(3))}`;
}

/** A span of time in s, min and h: 6000 → "6 s", 300000 → "5 min", 5400000 → "1 h 30 min". Negative spans read "0 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** A configured number of minutes (0.1 in a short test fleet) as a duration: "6 s", "5 min", "2 h". */
export function formatMinutes(minutes: number): string {
  return formatDuration(minutes * 60_000);
}

/** How long ago, from `now`: "just now", "3 min ago", "5 h ago", "3 days ago"; a time ahead reads "in 3 min". */
export function formatAgo(at: number, now: number): string {
  if (at - now >= 45_000) return `in ${formatDuration(at - now)}`;
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** The time of day, to stand beside a relative time: "14:02:11". `timeZone` undefined is the reader's own zone. */
export function formatClock(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(at);
}

/** A full point in time with its zone: "7 Dec 2026, 14:02:11 UTC". `timeZone` undefined is the reader's own zone. */
export function formatTimestamp(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(at);
}

/** Relative and absolute together, for text-only readers (CLI, cards): "3 min ago (14:02:11 UTC)". */
export function formatWhen(at: number, now: number, timeZone = "UTC"): string {
  return `${formatAgo(at, now)} (${formatClock(at, timeZone)}${timeZone === "UTC" ? " UTC" : ""})`;
}
