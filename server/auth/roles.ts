/**
 * Roles and what they may do. Every mutation checks a permission on the server through `can`.
 * viewer reads; deployer starts and steers rollouts; reviewer approves in the functional capacity; sre
 * approves in the SRE capacity and rolls regions back; admin does everything, manages users and tokens.
 */
import { ROLES, type Role } from "@/db/store/vocabulary";

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
  /** Read the internal fields of events in the audit log (deploy logs, hosts, raw errors, addresses, emails). */
  "audit.internal": ["sre", "admin"],
  /** Declare and lift a stop-all freeze (docs/policies.md). */
  "freeze.manage": ["sre", "admin"],
  /** Start one rollout during a freeze, with a reason (break-glass). */
  "freeze.break_glass": ["sre", "admin"],
  /** Lift the quarantine of a release rolled back for a breach, with a reason (docs/policies.md#quarantine). */
  "quarantine.lift": ["sre", "admin"],
  /** Start a strategy the migration path does not open yet, with a reason (docs/policies.md#migration-path). */
  "strategy.override": ["admin"],
  /** Start a release with a contract migration the live release does not declare readyFor, with a reason (docs/policies.md#schema-compatibility). */
  "schema.override": ["admin"],
  /** Demo fleet only: inject faults into the simulated metrics for a rollback drill. */
  "demo.faults": ["sre", "admin"],
  /** Acknowledge or resolve an incident (a region rolled back): stops the escalation (docs/notifications.md#escalation). */
  "incident.acknowledge": ["sre", "admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => (PERMISSIONS[permission] as readonly Role[]).includes(r));
}

/**
 * What an API token of each scope may do. A token never does more than its creator's roles allow, read afresh
 * at every use: a permission needs both the scope and one of the creator's current roles.
 */
export const TOKEN_SCOPES = {
  read: ["read"],
  /** Start, pause, resume, promote, abort (and break-glass during a freeze, for an SRE's token): what a CI pipeline that ships needs. */
  deploy: ["read", "rollout.start", "rollout.control", "freeze.break_glass", "strategy.override", "schema.override"],
  /** Roll a region back, declare or lift a stop-all, lift a quarantine, acknowledge an incident: what the emergency workflow needs. */
  rollback: ["read", "region.rollback", "freeze.manage", "quarantine.lift", "incident.acknowledge"],
  /** Deprecated: tokens created before the scopes split act as deploy + rollback until they expire. */
  write: ["read", "rollout.start", "rollout.control", "region.rollback"],
} as const satisfies Record<string, readonly Permission[]>;

export type TokenScope = keyof typeof TOKEN_SCOPES;
/** The scopes a new token can have (`write` is only kept for old tokens). */
export const NEW_TOKEN_SCOPES = ["read", "deploy", "rollback"] as const satisfies readonly TokenScope[];

export function scopeAllows(scope: TokenScope, permission: Permission): boolean {
  return (TOKEN_SCOPES[scope] as readonly Permission[]).includes(permission);
}

/** The scopes that allow a permission, for messages: "a deploy token". */
export function scopesAllowing(permission: Permission): TokenScope[] {
  return NEW_TOKEN_SCOPES.filter((s) => scopeAllows(s, permission));
}

/** `can` for an actor: a token also needs the permission in its scope. */
export function actorCan(actor: { kind: string; roles: readonly Role[]; scope?: TokenScope }, permission: Permission): boolean {
  if (!can(actor.roles, permission)) return false;
  return actor.kind !== "token" || actor.scope === undefined || scopeAllows(actor.scope, permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
