/**
 * Time for the runner and the providers. Production reads the wall clock; the simulator and the tests use a
 * virtual clock in which waiting costs no real time, so a 5.5-hour rollout runs in seconds.
 */
export interface Clock extends TimeSource {
  readonly kind: "real" | "virtual";
  /** Resolves after `ms` of this clock's time; rejects with an AbortError when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What reads the time and never waits: a service verb's context (`ServiceContext.clock`). Every `Clock` is one. */
export interface TimeSource {
  now(): number;
}

/** A time that never moves (tests, and a caller that must keep the time it already read). */
export function fixedClock(at: number): TimeSource {
  return { now: () => at };
}

export function abortError(): Error {
  const err = new Error("aborted");
  err.name = "AbortError";
  return err;
}

export const realClock: Clock = {
  kind: "real",
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError());
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

type Sleeper = { at: number; seq: number; resolve: () => void; reject: (err: Error) => void; signal?: AbortSignal; onAbort?: () => void };

/**
 * Discrete-event time. `sleep` registers a wake-up; once everything runnable has run (a `setImmediate` later),
 * time jumps to the earliest wake-up and wakes it. Concurrent sleeps therefore overlap as they would in real
 * time (three regions deploying in parallel take 20 s, not 60 s), and the order is fixed by (time, call order):
 * the same inputs give the same run. Nothing else may be awaited on real I/O while a virtual run is going on.
 */
export class VirtualClock implements Clock {
  readonly kind = "virtual" as const;
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  private pumping = false;

  constructor(start: number = Date.UTC(2025, 0, 6, 9, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Move time forward by hand (tests); wakes whoever is due. */
  advance(ms: number): void {
    this.t += Math.max(0, ms);
    this.wakeDue();
  }

  setTime(t: number): void {
    this.t = Math.max(this.t, t);
    this.wakeDue();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = { at: this.t + ms, seq: this.seq++, resolve, reject, signal };
      if (signal) {
        sleeper.onAbort = () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(abortError());
        };
        signal.addEventListener("abort", sleeper.onAbort, { once: true });
      }
      this.sleepers.push(sleeper);
      this.schedulePump();
    });
  }

  private schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      if (this.sleepers.length === 0) return;
      const earliest = Math.min(...this.sleepers.map((s) => s.at));
      this.t = Math.max(this.t, earliest);
      this.wakeDue();
      if (this.sleepers.length > 0) this.schedulePump();
    });
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq);
    if (due.length === 0) return;
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) {
      if (s.onAbort) s.signal?.removeEventListener("abort", s.onAbort);
      s.resolve();
    }
  }
}
