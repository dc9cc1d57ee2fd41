import { describe, expect, it } from "vitest";
import { safeReturnPath, signInPath } from "./guard";

describe("signInPath", () => {
  it("says why and where to come back", () => {
    expect(signInPath({})).toBe("/signin");
    expect(signInPath({ returnTo: "/" })).toBe("/signin");
    expect(signInPath({ expired: true, returnTo: "/admin" })).toBe("/signin?reason=expired&callbackUrl=%2Fadmin");
  });

  it("never sends the user back to another site", () => {
    for (const target of ["//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)", ""]) {
      expect(safeReturnPath(target)).toBeNull();
      expect(signInPath({ returnTo: target })).toBe("/signin");
    }
    expect(safeReturnPath("/rollouts/ro_1?tab=events")).toBe("/rollouts/ro_1?tab=events");
  });
});
