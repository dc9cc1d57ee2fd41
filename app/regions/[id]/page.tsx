import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FaultDrill } from "@/components/regions/fault-drill";
import { RegionDetail } from "@/components/regions/region-detail";
import { Forbidden } from "@/components/ui/forbidden";
import { api, HydrateClient, prefetch, trpc } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { can } from "@/server/auth/roles";

export const metadata: Metadata = { title: "Region · Flightdeck" };
export const dynamic = "force-dynamic";

export default async function RegionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, allowed, requiredRoles } = await requireUser("read", `/regions/${id}`);
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  const page = await api.regionPages.get({ regionId: id }).catch((err: unknown) => {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    throw err;
  });

  // The drill panel's first paint holds its data, so nothing pops in below the region.
  await prefetch(trpc.demo.faults.queryOptions({ regionId: page.regionId }));

  return (
    <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
      <p className="text-sm">
        <Link href="/" className="rounded-sm text-blue-700 underline hover:text-blue-600 focus-visible:outline-2 focus-visible:outline-blue-600">
          ← Overview
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">{page.name}</h1>
      <p className="font-mono text-sm text-slate-500">
        {page.regionId} · {page.environment}
      </p>
      <RegionDetail page={page} mayRollback={can(user.roles, "region.rollback")} />
      <HydrateClient>
        <FaultDrill regionId={page.regionId} mayInject={can(user.roles, "demo.faults")} />
      </HydrateClient>
    </main>
  );
}
