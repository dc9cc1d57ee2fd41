/**
 * The main navigation of a signed-in user, decided on the server from their roles: a page they could only be
 * refused on is not offered. Signed out, there is none (every page would send them to sign in).
 */
import { can, type Permission, type Role } from "./roles";

export type NavItem = { href: string; label: string };

const ITEMS: Array<NavItem & { needs: Permission[] }> = [
  { href: "/", label: "Overview", needs: ["read"] },
  { href: "/rollouts", label: "Rollouts", needs: ["read"] },
  { href: "/approvals", label: "Approvals", needs: ["approval.functional", "approval.sre"] },
  { href: "/audit", label: "Audit log", needs: ["read"] },
  { href: "/backtest", label: "Backtest", needs: ["read"] },
  { href: "/docs", label: "Docs", needs: ["read"] },
  { href: "/settings", label: "Settings", needs: ["settings.manage"] },
  { href: "/admin", label: "Admin", needs: ["users.manage"] },
];

/** The items whose page one of the roles may use (any of an item's permissions will do). */
export function navItemsFor(roles: readonly Role[] | null): NavItem[] {
  if (roles === null) return [];
  return ITEMS.filter((item) => item.needs.some((p) => can(roles, p))).map(({ href, label }) => ({ href, label }));
}
