import { describe, expect, it } from "vitest";
import { can, isRole, PERMISSIONS, ROLES, type Permission, type Role } from "./roles";

// Who may do what: the table users read in the docs, checked cell by cell.
const EXPECTED: Record<Permission, Role[]> = {
  read: ["viewer", "deployer", "reviewer", "sre", "admin"],
  "rollout.start": ["deployer", "sre", "admin"],
  "rollout.control": ["deployer", "sre", "admin"],
  "region.rollback": ["deployer", "sre", "admin"],
  "approval.functional": ["reviewer", "admin"],
  "approval.sre": ["sre", "admin"],
  "users.manage": ["admin"],
  "settings.manage": ["admin"],
  "audit.internal": ["sre", "admin"],
  "demo.faults": ["sre", "admin"],
};

describe("can", () => {
  for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
    for (const role of ROLES) {
      const allowed = EXPECTED[permission].includes(role);
      it(`${role} ${allowed ? "may" : "may not"} ${permission}`, () => {
        expect(can([role], permission)).toBe(allowed);
      });
    }
  }

  it("allows when any one of several roles allows", () => {
    expect(can(["viewer", "reviewer"], "approval.functional")).toBe(true);
    expect(can(["viewer", "reviewer"], "approval.sre")).toBe(false);
  });

  it("allows nothing, not even reading, without a role", () => {
    expect(can([], "read")).toBe(false);
  });
});

describe("isRole", () => {
  it("knows the five roles and nothing else", () => {
    expect(ROLES.filter(isRole)).toEqual(["viewer", "deployer", "reviewer", "sre", "admin"]);
    expect(isRole("superuser")).toBe(false);
    expect(isRole("Admin")).toBe(false);
  });
});
