import { describe, expect, it } from "vitest";
import { navItemsFor } from "./nav-items";

const labels = (roles: Parameters<typeof navItemsFor>[0]) => navItemsFor(roles).map((i) => i.label);

describe("navItemsFor", () => {
  it("offers a signed-out visitor nothing", () => {
    expect(navItemsFor(null)).toEqual([]);
  });

  it("hides what a role could only be refused on", () => {
    expect(labels(["viewer"])).toEqual(["Overview", "Rollouts", "Audit log", "Backtest", "Docs"]);
    expect(labels(["deployer"])).toEqual(["Overview", "Rollouts", "Audit log", "Backtest", "Docs"]);
    expect(labels(["reviewer"])).toEqual(["Overview", "Rollouts", "Approvals", "Audit log", "Backtest", "Docs"]);
    expect(labels(["sre"])).toEqual(["Overview", "Rollouts", "Approvals", "Audit log", "Backtest", "Docs"]);
  });

  it("gives an admin every page, and a person with two roles the union", () => {
    expect(labels(["admin"])).toEqual(["Overview", "Rollouts", "Approvals", "Audit log", "Backtest", "Docs", "Settings", "Admin"]);
    expect(labels(["viewer", "reviewer"])).toEqual(["Overview", "Rollouts", "Approvals", "Audit log", "Backtest", "Docs"]);
  });
});
