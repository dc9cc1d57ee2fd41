import { describe, expect, it } from "vitest";
import { safeReturnPath, signInPath } from "./guard";

describe("signInPath", () => {
  it("says why and where to come back", () => {
    expect(signInPath({})).toBe("/signin");
    expect(signInPath({ returnTo: "/" })).toBe("/signin");
    expect(signInPath({ expired: true, returnTo: "/admin" })).toBe("/signin?reason=expired&callbackUrl=%2Fadmin");
  });

  it("never sends the user back to another site", () => {
    const targets = [
      "//evil.example/x",
      "https://evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "",
      "/%09/evil.example",
      "/\t/evil.example",
      "/%0a/evil.example",
      "/%5Cevil.example",
      "/%252F%252Fevil.example",
      "/%E0%A4%A",
    ];
    for (const target of targets) {
      expect(safeReturnPath(target)).toBeNull();
      expect(signInPath({ returnTo: target })).toBe("/signin");
    }
    expect(safeReturnPath("/rollouts/ro_1?tab=events")).toBe("/rollouts/ro_1?tab=events");
  });

  it("keeps a path on this site as the browser would read it", () => {
    expect(safeReturnPath("/rollouts/../admin?x=1#top")).toBe("/admin?x=1#top");
    expect(safeReturnPath("/regions/eu%20west")).toBe("/regions/eu%20west");
    expect(safeReturnPath("/admin", "http://localhost:3000")).toBe("/admin");
  });
});
