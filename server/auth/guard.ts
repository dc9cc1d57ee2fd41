/**
 * For server components and pages: the signed-in user, or a redirect to the sign-in page. A signed-in user
 * without the permission is not redirected: the page renders <Forbidden/> so the user learns which role it needs.
 *
 *   const { user, allowed, requiredRoles } = await requireUser("users.manage", "/admin");
 *   if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
 */
import { redirect } from "next/navigation";
import { can, PERMISSIONS, type Permission, type Role } from "./roles";
import { readSession, type SessionUser } from "./session";

export type Guarded = { user: SessionUser; allowed: boolean; requiredRoles: readonly Role[] };

/** Only a path on this site may be a return target (no `//evil.example`). */
export function safeReturnPath(value: unknown): string | null {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : null;
}

export function signInPath(opts: { expired?: boolean; returnTo?: string }): string {
  const params = new URLSearchParams();
  if (opts.expired) params.set("reason", "expired");
  const back = safeReturnPath(opts.returnTo);
  if (back && back !== "/") params.set("callbackUrl", back);
  const query = params.toString();
  return query ? `/signin?${query}` : "/signin";
}

export async function requireUser(permission?: Permission, returnTo?: string): Promise<Guarded> {
  const { user, expired } = await readSession();
  if (!user) redirect(signInPath({ expired, returnTo }));
  const requiredRoles = permission ? PERMISSIONS[permission] : [];
  return { user, allowed: permission ? can(user.roles, permission) : true, requiredRoles };
}
