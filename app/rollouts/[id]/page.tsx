import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RolloutPage } from "@/components/rollouts/rollout-page";
import { Forbidden } from "@/components/ui/forbidden";
import { getQueryClient, HydrateClient, prefetch, trpc } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { can } from "@/server/auth/roles";

export const metadata: Metadata = { title: "Rollout · Flightdeck" };
// Reads the session and the database on every request.
export const dynamic = "force-dynamic";

export default async function RolloutDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, allowed, requiredRoles } = await requireUser("read", `/rollouts/${id}`);
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  // Awaited: the first HTML holds the whole rollout, so nothing jumps when the client takes over.
  await Promise.all([
    prefetch(trpc.rollouts.get.queryOptions({ id })),
    prefetch(trpc.rollouts.samples.queryOptions({ id })),
    prefetch(trpc.rollouts.events.queryOptions({ id })),
    prefetch(trpc.notifications.forRollout.queryOptions({ rolloutId: id })),
    prefetch(trpc.incidents.list.queryOptions({ rolloutId: id })),
  ]);
  // No such rollout (the only way the read fails for a signed-in reader): Next's 404 page, not a spinner.
  if (!getQueryClient().getQueryData(trpc.rollouts.get.queryKey({ id }))) notFound();
  // The live feed resumes after the newest event the page was rendered with.
  const events = getQueryClient().getQueryData(trpc.rollouts.events.queryKey({ id }));
  const since = events?.[0] ? String(events[0].id) : null;
  const may = {
    control: can(user.roles, "rollout.control"),
    rollback: can(user.roles, "region.rollback"),
    skipValidation: can(user.roles, "approval.sre"),
    liftQuarantine: can(user.roles, "quarantine.lift"),
  };

  return (
    <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
      <HydrateClient>
        <RolloutPage rolloutId={id} may={may} since={since} />
      </HydrateClient>
    </main>
  );
}
