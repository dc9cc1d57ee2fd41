import Link from "next/link";
import type { SessionUser } from "@/server/auth/session";
import { SignOutButton } from "./sign-out-button";

/** The header's corner: who is signed in, with which roles, and sign-out; a sign-in link otherwise. */
export function UserMenu({ user }: { user: SessionUser | null }) {
  if (!user) {
    return (
      <Link href="/signin" className="rounded text-sm font-medium text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-600">
        Sign in
      </Link>
    );
  }
  return (
    <div className="flex items-center gap-3 text-sm" data-testid="user-menu">
      <span>
        <span className="font-medium">{user.name}</span> <span className="text-slate-600">({user.roles.join(", ")})</span>
      </span>
      {user.roles.includes("admin") ? (
        <Link href="/admin" className="rounded text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-600">
          Users
        </Link>
      ) : null}
      <SignOutButton />
    </div>
  );
}

export default UserMenu;
