import { describe, expect, it } from "vitest";
import { VirtualClock } from "./clock";

describe("VirtualClock", () => {
  it("overlaps concurrent sleeps as real time would, at no real cost, in a fixed order", async () => {
    const clock = new VirtualClock(0);
    const woke: string[] = [];
    const nap = (name: string, ms: number) => clock.sleep(ms).then(() => woke.push(`${name}@${clock.now()}`));
    const started = Date.now();
    await Promise.all([nap("deploy-a", 20_000), nap("deploy-b", 20_000), nap("sample", 5_000)]);
    expect(woke).toEqual(["sample@5000", "deploy-a@20000", "deploy-b@20000"]);
    expect(clock.now()).toBe(20_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("rejects a sleep whose signal aborts, and time does not jump for it", async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ name: "AbortError" });
    await new Promise((r) => setImmediate(r));
    expect(clock.now()).toBe(0);
  });
});
