import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { NewRolloutForm } from "@/components/rollouts/new-rollout-form";
import { defaultValues, toStartInput } from "@/components/rollouts/new-rollout-values";
import { Forbidden } from "@/components/ui/forbidden";
import { getQueryClient, HydrateClient, prefetch, trpc } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { can } from "@/server/auth/roles";

export const metadata: Metadata = { title: "Start a rollout · Flightdeck" };
// Reads the session and the database on every request.
export const dynamic = "force-dynamic";

export default async function NewRolloutPage() {
  const { user, allowed, requiredRoles } = await requireUser("rollout.start", "/rollouts/new");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  await prefetch(trpc.rollouts.startOptions.queryOptions());
  // The plan of the form's first values too, asked exactly as the form will ask: the first HTML shows it.
  const options = getQueryClient().getQueryData(trpc.rollouts.startOptions.queryKey());
  if (options) await prefetch(trpc.rollouts.previewPlan.queryOptions(toStartInput(defaultValues(options))));

  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-5 px-4 py-6 sm:px-6 sm:py-8">
      <div>
        <Link href="/rollouts" className="rounded text-sm text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600">
          ← Rollouts
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">Start a rollout</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Choose a registered artifact and how it goes out. The plan on the right is the engine&apos;s own, worked out from these choices; nothing starts until
          you confirm it.
        </p>
      </div>
      <HydrateClient>
        <Suspense fallback={<p className="text-sm text-slate-600">Loading services and artifacts…</p>}>
          <NewRolloutForm mayLiftQuarantine={can(user.roles, "quarantine.lift")} />
        </Suspense>
      </HydrateClient>
    </main>
  );
}
