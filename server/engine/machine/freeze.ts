/**
 * Freezes: when no rollout may start and running ones hold before their next step. Two sources: the config's
 * windows (weekly, e.g. Friday 16:00 to Monday 08:00 in Europe/Berlin, or once, between two dates), each for
 * some environments or all, and a stop-all a person declared (a row every runner pass reads). Pure: the clock
 * comes in as an argument; time zones are read through Intl (the wall clock of an instant in a zone).
 */
import type { FreezeConfig } from "@/server/config/schema";

/** A freeze in force: which one, why, and until when (null: until a person lifts it). */
export type ActiveFreeze =
  | { kind: "window"; id: string; reason: string; until: number; timeZone: string }
  | { kind: "stop-all"; id: string; reason: string; until: null; declaredBy: string; declaredAt: number };

/** The stop-all in force, as stored. */
export type StopAll = { id: string; reason: string; declaredBy: string; declaredAt: number };

/** What a region's freeze depends on: the config's windows and the stop-all in force (null: none). */
export type FreezeRules = { windows: readonly FreezeConfig[]; stopAll: StopAll | null };

/** A rollout started by break-glass holds for no freeze but a stop-all declared after it started. */
export type BreakGlass = { startedAt: number } | null;

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const WEEK_MINUTES = 7 * 1440;

/** "Fri 16:00" or "Friday 16:00" → day (0 = Sunday) and minute of the day; null when it is not one. */
export function parseWeekTime(text: string): { day: number; minute: number } | null {
  const m = /^([a-z]{3,9})\s+(\d{1,2}):(\d{2})$/i.exec(text.trim());
  if (!m) return null;
  const day = DAYS.findIndex((d) => d.startsWith(m[1].toLowerCase()));
  const minute = clockMinute(m[2], m[3]);
  return day < 0 || minute === null ? null : { day, minute };
}

/** "2026-12-24" (midnight) or "2026-12-24 08:00" → the date and minute of the day; null when it is not one. */
export function parseLocalDateTime(text: string): { y: number; m: number; d: number; minute: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  const minute = match[4] === undefined ? 0 : clockMinute(match[4], match[5]);
  return minute === null ? null : { y, m, d, minute };
}

function clockMinute(hours: string, minutes: string): number | null {
  const h = Number(hours);
  const min = Number(minutes);
  return h > 23 || min > 59 ? null : h * 60 + min;
}

/** An IANA time zone this runtime knows (Europe/Berlin, UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

type WallClock = { y: number; m: number; d: number; day: number; minute: number; second: number };

/** The wall clock of an instant in a zone. */
function wallClock(ms: number, zone: string): WallClock {
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const day = DAYS.findIndex((d) => d.startsWith(parts.weekday.toLowerCase()));
  return {
    y: Number(parts.year),
    m: Number(parts.month),
    d: Number(parts.day),
    day,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The instant a wall-clock time in a zone names (in a daylight-saving gap, the instant an hour on). */
export function zonedToInstant(y: number, m: number, d: number, minute: number, zone: string): number {
  const asUtc = Date.UTC(y, m - 1, d, 0, minute);
  const offsetAt = (ms: number) => {
    const w = wallClock(ms, zone);
    return Date.UTC(w.y, w.m - 1, w.d, 0, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
  };
  const first = asUtc - offsetAt(asUtc);
  return asUtc - offsetAt(first);
}

/** When a window that holds `now` ends, or null when it does not hold `now`. */
export function windowEnd(window: FreezeConfig, now: number): number | null {
  const zone = window.timeZone;
  if (window.once) {
    const from = parseLocalDateTime(window.once.from)!;
    const to = parseLocalDateTime(window.once.to)!;
    const start = zonedToInstant(from.y, from.m, from.d, from.minute, zone);
    const end = zonedToInstant(to.y, to.m, to.d, to.minute, zone);
    return now >= start && now < end ? end : null;
  }
  const weekly = window.weekly!;
  const from = parseWeekTime(weekly.from)!;
  const to = parseWeekTime(weekly.to)!;
  const here = wallClock(now, zone);
  const cur = here.day * 1440 + here.minute;
  const start = from.day * 1440 + from.minute;
  const stop = to.day * 1440 + to.minute;
  const inside = start < stop ? cur >= start && cur < stop : cur >= start || cur < stop;
  if (!inside) return null;
  const days = Math.floor((((stop - cur + WEEK_MINUTES) % WEEK_MINUTES) + here.minute) / 1440);
  const date = new Date(Date.UTC(here.y, here.m - 1, here.d + days));
  return zonedToInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), to.minute, zone);
}

/** `*` matches any run of characters except `/`, as in the environment rules. */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*") +
      "$",
  );
  return re.test(value);
}

/** Whether a window covers an environment (no list: every environment). */
export function coversEnvironment(window: FreezeConfig, environment: string): boolean {
  return !window.environments || window.environments.some((p) => matches(p, environment));
}

/**
 * The freeze an environment is under at `now`, or null. A stop-all wins (it has no end); among windows, the one
 * that ends last. A break-glass rollout is under none but a stop-all declared after it started.
 */
export function activeFreeze(rules: FreezeRules, environment: string, now: number, breakGlass: BreakGlass = null): ActiveFreeze | null {
  const { stopAll } = rules;
  if (stopAll && (!breakGlass || stopAll.declaredAt > breakGlass.startedAt)) return { kind: "stop-all", ...stopAll, until: null };
  if (breakGlass) return null;
  let found: ActiveFreeze | null = null;
  for (const window of rules.windows) {
    if (!coversEnvironment(window, environment)) continue;
    const until = windowEnd(window, now);
    if (until !== null && (found === null || until > found.until!))
      found = { kind: "window", id: window.id, reason: window.reason, until, timeZone: window.timeZone };
  }
  return found;
}

/** "Mon 2026-12-07 08:00 Europe/Berlin": an instant as the wall clock of a zone. */
export function formatInZone(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  const pad = (n: number) => String(n).padStart(2, "0");
  const name = DAYS[w.day].slice(0, 1).toUpperCase() + DAYS[w.day].slice(1, 3);
  return `${name} ${w.y}-${pad(w.m)}-${pad(w.d)} ${pad(Math.floor(w.minute / 60))}:${pad(w.minute % 60)} ${zone}`;
}

/** Which freeze and until when, in words: `the freeze window "weekend" (no releases at the weekend) until Mon … Europe/Berlin`. */
export function describeFreeze(freeze: ActiveFreeze): string {
  if (freeze.kind === "window") return `the freeze window "${freeze.id}" (${freeze.reason}) until ${formatInZone(freeze.until, freeze.timeZone)}`;
  return `the stop-all declared by ${freeze.declaredBy} at ${formatInZone(freeze.declaredAt, "UTC")} (${freeze.reason}) until someone lifts it`;
}

/** What an event records of a freeze. */
export function freezeRef(freeze: ActiveFreeze): { kind: ActiveFreeze["kind"]; id: string; reason: string; until: number | null } {
  return { kind: freeze.kind, id: freeze.id, reason: freeze.reason, until: freeze.until };
}
