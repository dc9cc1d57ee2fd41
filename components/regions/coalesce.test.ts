import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { coalesce } from "./coalesce";

describe("coalesce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs once for a burst of calls, after the window", () => {
    const run = vi.fn();
    const soon = coalesce(run, 150);
    soon();
    soon();
    soon();
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("runs again for a call after the previous run", () => {
    const run = vi.fn();
    const soon = coalesce(run, 150);
    soon();
    vi.advanceTimersByTime(150);
    soon();
    vi.advanceTimersByTime(150);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("does not run once cancelled (the page was left)", () => {
    const run = vi.fn();
    const soon = coalesce(run, 150);
    soon();
    soon.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).not.toHaveBeenCalled();
  });
});
