/**
 * Roles and what they may do. Every mutation checks a permission on the server through `can`.
 * viewer reads; deployer starts and steers rollouts; reviewer approves in the functional capacity; sre
 * approves in the SRE capacity and rolls regions back; admin does everything, manages users and tokens.
 */
import { ROLES, type Role } from "@/db/schema/role-assignments";

export { ROLES, type Role };

export const PERMISSIONS = {
  read: ["viewer", "deployer", "reviewer", "sre", "admin"],
  "rollout.start": ["deployer", "sre", "admin"],
  "rollout.control": ["deployer", "sre", "admin"],
  "region.rollback": ["deployer", "sre", "admin"],
  "approval.functional": ["reviewer", "admin"],
  "approval.sre": ["sre", "admin"],
  "users.manage": ["admin"],
  "settings.manage": ["admin"],
  /** Demo fleet only: inject faults into the simulated metrics for a rollback drill. */
  "demo.faults": ["sre", "admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => (PERMISSIONS[permission] as readonly Role[]).includes(r));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
