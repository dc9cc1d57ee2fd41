/**
 * The one rule for whether a user may act at all — sign in, keep a session, or act through a token they
 * minted: the user is not disabled, and is not a demo user unless demo mode is on. Roles decide *what* an
 * active user may do (roles.ts); this decides *whether* they may do anything.
 *
 * Two forms of the same rule: `userMayAct` for a row already read, `activeUserCondition` in the users
 * repository (db/store/repositories/users.ts) for a query over `users` (counting admins). Keep them in step.
 */
export type UserActivity = { disabledAt: number | null; demo: boolean };

/** Why a user may not act: `disabled` by an admin, or a `demo` user while demo mode is off. */
export type InactiveReason = "disabled" | "demo";

/** Null when the user may act; otherwise why not (disabled wins over demo). */
export function inactiveReason(user: UserActivity, demoMode: boolean): InactiveReason | null {
  if (user.disabledAt !== null) return "disabled";
  if (user.demo && !demoMode) return "demo";
  return null;
}

export function userMayAct(user: UserActivity, demoMode: boolean): boolean {
  return inactiveReason(user, demoMode) === null;
}

/** A sentence for logs and refusals: "Ada is disabled", "Ada is a demo user and demo mode is off". */
export function describeInactive(name: string, reason: InactiveReason): string {
  return reason === "disabled"
    ? `${name} is disabled: an admin can enable the account again`
    : `${name} is a demo user and this Flightdeck is not in demo mode`;
}
