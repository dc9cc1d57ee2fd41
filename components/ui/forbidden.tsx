import Link from "next/link";
import type { Role } from "@/server/auth/roles";

/** "the admin role", "the reviewer or admin role", "the deployer, sre or admin role". */
export function describeRoles(roles: readonly Role[]): string {
  if (roles.length <= 1) return `the ${roles[0] ?? "right"} role`;
  return `the ${roles.slice(0, -1).join(", ")} or ${roles[roles.length - 1]} role`;
}

/** What a signed-in user without the permission sees instead of the page. */
export function Forbidden({ requiredRoles, user }: { requiredRoles: readonly Role[]; user?: { name: string; roles: readonly Role[] } }) {
  return (
    <main className="mx-auto max-w-xl p-6">
      <section role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-6 text-amber-950">
        <h1 className="text-lg font-semibold">You need {describeRoles(requiredRoles)} to open this page</h1>
        {user ? (
          <p className="mt-2 text-sm">
            You are signed in as {user.name} ({user.roles.join(", ")}). Ask an admin for the role, or sign in as someone who has it.
          </p>
        ) : null}
        <p className="mt-4 flex gap-4 text-sm">
          <Link href="/" className="rounded font-medium underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-700">
            Back to the overview
          </Link>
          <Link href="/signin" className="rounded font-medium underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-700">
            Sign in as someone else
          </Link>
        </p>
      </section>
    </main>
  );
}
