import type { Metadata } from "next";
import { Suspense } from "react";
import { PendingApprovals } from "@/components/approvals/pending-approvals";
import { Forbidden } from "@/components/ui/forbidden";
import { HydrateClient, prefetch, trpc } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { can } from "@/server/auth/roles";

export const metadata: Metadata = { title: "Approvals · Flightdeck" };
export const dynamic = "force-dynamic";

export default async function ApprovalsPage() {
  const { user, allowed, requiredRoles } = await requireUser("read", "/approvals");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  await prefetch(trpc.approvals.pending.queryOptions());
  // Buttons only for those who may decide; the server checks every decision anyway.
  const mayDecide = can(user.roles, "approval.functional") || can(user.roles, "approval.sre");

  return (
    <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
      <h1 className="text-2xl font-semibold text-slate-900">Approvals</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Protected environments need one reviewer and one SRE, two different people. The person behind a rollout cannot approve it: whoever started it, the
        creator of the API token that started it, or the author CI named. A rejection stops that region and blocks the regions after it.
      </p>
      <HydrateClient>
        <Suspense fallback={<p className="mt-6 text-sm text-slate-600">Loading pending gates…</p>}>
          <PendingApprovals mayDecide={mayDecide} />
        </Suspense>
      </HydrateClient>
    </main>
  );
}
