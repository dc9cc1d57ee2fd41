import type { Metadata } from "next";
import { Suspense } from "react";
import { Forbidden } from "@/components/ui/forbidden";
import { HydrateClient, prefetch, trpc } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { MIN_PASSWORD_LENGTH } from "@/server/auth/password";
import { ROLES } from "@/server/auth/roles";
import { CreateUserForm } from "./create-user-form";
import { UserRolesTable } from "./user-roles-table";

export const metadata: Metadata = { title: "Users and roles · Flightdeck" };
export const dynamic = "force-dynamic";

export default async function AdminPage() {
  const { user, allowed, requiredRoles } = await requireUser("users.manage", "/admin");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  await prefetch(trpc.admin.users.queryOptions());

  return (
    <main className="mx-auto max-w-6xl p-6">
      <div className="flex items-baseline justify-between gap-4">
        <h1 className="text-2xl font-semibold">Users and roles</h1>
        <a href="/admin/tokens" className="text-sm text-blue-700 underline hover:text-blue-600">
          API tokens →
        </a>
      </div>
      <p className="mt-1 text-sm text-slate-600">
        viewer reads; deployer starts and steers rollouts; reviewer approves as reviewer; sre approves as SRE and rolls regions back; admin does everything and
        manages users. A disabled user&apos;s sessions end and their API tokens stop at once; the last active admin cannot be disabled or lose the role. Every
        change is recorded in the audit log.
      </p>
      <HydrateClient>
        <Suspense fallback={<p className="mt-6 text-sm text-slate-600">Loading users…</p>}>
          <UserRolesTable currentUserId={user.id} roles={ROLES} />
          <CreateUserForm roles={ROLES} minPasswordLength={MIN_PASSWORD_LENGTH} />
        </Suspense>
      </HydrateClient>
    </main>
  );
}
