import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { coalesce } from "./coalesce";

describe("coalesce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs a lone call at once", () => {
    const run = vi.fn();
    coalesce(run, 150)();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("runs a burst twice: at its first call and once at the end of the window", () => {
    const run = vi.fn();
    const soon = coalesce(run, 150);
    soon();
    soon();
    soon();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(150);
    expect(run).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("runs at once again after a quiet window", () => {
    const run = vi.fn();
    const soon = coalesce(run, 150);
    soon();
    vi.advanceTimersByTime(150);
    soon();
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("does not run the trailing call once cancelled (the page was left)", () => {
    const run = vi.fn();
    const soon = coalesce(run, 150);
    soon();
    soon();
    soon.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
