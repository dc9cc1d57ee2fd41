import type { Metadata } from "next";
import { FreezeBanner } from "@/components/regions/freeze-banner";
import { RegionsOverview } from "@/components/regions/overview";
import { Forbidden } from "@/components/ui/forbidden";
import { HydrateClient, prefetch, trpc } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { can } from "@/server/auth/roles";

export const metadata: Metadata = { title: "Overview · Flightdeck" };
// Reads the session and the database on every request.
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  // Signed out: redirect to /signin (with the reason when the session expired). Signed in without a role: say which.
  const { user, allowed, requiredRoles } = await requireUser("read", "/");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  // Awaited: the first HTML already holds every region, so nothing jumps when the client takes over.
  await Promise.all([prefetch(trpc.regions.overview.queryOptions()), prefetch(trpc.freeze.status.queryOptions())]);

  return (
    <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
      <HydrateClient>
        <FreezeBanner />
        <RegionsOverview mayRollback={can(user.roles, "region.rollback")} />
      </HydrateClient>
    </main>
  );
}
