import { describe, expect, it } from "vitest";
import { actorCan, can, isRole, PERMISSIONS, ROLES, scopeAllows, scopesAllowing, TOKEN_SCOPES, type Permission, type Role, type TokenScope } from "./roles";

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
  "freeze.manage": ["sre", "admin"],
  "freeze.break_glass": ["sre", "admin"],
  "quarantine.lift": ["sre", "admin"],
  "strategy.override": ["admin"],
  "schema.override": ["admin"],
  "demo.faults": ["sre", "admin"],
  "incident.acknowledge": ["sre", "admin"],
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

describe("token scopes", () => {
  // What each scope may do, the table the docs show (docs/security.md, Tokens).
  const EXPECTED_SCOPES: Record<TokenScope, Permission[]> = {
    read: ["read"],
    deploy: ["read", "rollout.start", "rollout.control", "freeze.break_glass", "strategy.override", "schema.override"],
    rollback: ["read", "region.rollback", "freeze.manage", "quarantine.lift", "incident.acknowledge"],
    write: ["read", "rollout.start", "rollout.control", "region.rollback"],
  };
  for (const scope of Object.keys(TOKEN_SCOPES) as TokenScope[]) {
    it(`a ${scope} token may ${EXPECTED_SCOPES[scope].join(", ")} and nothing else`, () => {
      expect((Object.keys(PERMISSIONS) as Permission[]).filter((p) => scopeAllows(scope, p))).toEqual(EXPECTED_SCOPES[scope]);
    });
  }

  it("a token needs both its scope and one of its creator's current roles", () => {
    const token = (roles: Role[], scope: TokenScope) => ({ kind: "token", roles, scope });
    expect(actorCan(token(["admin"], "rollback"), "region.rollback")).toBe(true);
    expect(actorCan(token(["admin"], "rollback"), "rollout.start")).toBe(false);
    expect(actorCan(token(["viewer"], "write"), "rollout.control")).toBe(false);
    expect(actorCan({ kind: "user", roles: ["deployer"] }, "region.rollback")).toBe(true);
    expect(scopesAllowing("rollout.control")).toEqual(["deploy"]);
  });
});
