import { describe, expect, it } from "vitest";
import { describeRefusal, describeSignInError, describeWait, throttledCode } from "./sign-in-errors";

describe("what the sign-in pages say", () => {
  it("turns a throttle into the wait, rounded up, for the account or the address", () => {
    expect(describeSignInError(throttledCode("account", 14 * 60_000 + 1))).toBe(
      "Too many failed sign-ins for this account. Wait 15 minutes and try again, or ask an admin to check the account.",
    );
    expect(describeSignInError(throttledCode("address", 40_500))).toBe("Too many failed sign-ins from your network address. Wait 41 seconds and try again.");
    expect(describeWait(60_000)).toBe("1 minute");
  });

  it("explains a refused GitHub sign-in and names whom to ask from the config", () => {
    const refusal = describeRefusal("not-allowed", "github", "the platform team in #platform-help");
    expect(refusal.title).toBe("Your account may not sign in here");
    expect(refusal.why).toContain("not an active member of an organisation or team this Flightdeck allows");
    expect(refusal.ask).toMatch(/^Ask the platform team in #platform-help\./);
    expect(describeRefusal("no-allow-list", "oidc").why).toContain("lets nobody in that way");
    expect(describeRefusal("disabled", "github").ask).toBe("Ask an admin of this Flightdeck. An admin can enable it again.");
  });

  it("never echoes an unknown code at length", () => {
    expect(describeSignInError("x".repeat(500)).length).toBeLessThan(150);
  });
});
