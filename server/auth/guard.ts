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

// Any origin works: only a result on the same origin is kept, and only its path, query and fragment are returned.
const SITE_ORIGIN = "https://flightdeck.invalid";
// Browsers drop tab, CR and LF inside URLs (`/\t/evil.example` becomes `//evil.example`) and read `\` as `/`.
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** The value with its percent-encoding undone (twice-encoded too), or null when it is not valid percent-encoding. */
function decoded(value: string): string | null {
  let text = value;
  for (let i = 0; i < 3 && text.includes("%"); i++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  return text;
}

/**
 * Only a path on this site may be a return target: parsed against the site's origin and kept only when the
 * origin is unchanged; control characters and backslashes, raw or percent-encoded, are refused
 * (`//evil.example`, `/\evil.example`, `/%09/evil.example`, `https://evil.example` all give null).
 */
export function safeReturnPath(value: unknown, origin: string = SITE_ORIGIN): string | null {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 2048) return null;
  const plain = decoded(value);
  if (plain === null || UNSAFE.test(plain) || plain.startsWith("//")) return null;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin) return null;
  return `${url.pathname}${url.search}${url.hash}`;
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
