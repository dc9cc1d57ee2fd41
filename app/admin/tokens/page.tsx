import type { Metadata } from "next";
import { Suspense } from "react";
import { Forbidden } from "@/components/ui/forbidden";
import { HydrateClient, prefetch, trpc } from "@/server/api/server";
import { requireUser } from "@/server/auth/guard";
import { ApiTokensPanel } from "./api-tokens-panel";

export const metadata: Metadata = { title: "API tokens · Flightdeck" };
export const dynamic = "force-dynamic";

export default async function ApiTokensPage() {
  const { user, allowed, requiredRoles } = await requireUser("settings.manage", "/admin/tokens");
  if (!allowed) return <Forbidden requiredRoles={requiredRoles} user={user} />;
  await prefetch(trpc.tokens.list.queryOptions());

  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="text-2xl font-semibold">API tokens</h1>
      <p className="mt-1 text-sm text-slate-600">
        For CI and scripts (<code>FLIGHTDECK_TOKEN</code> of the <code>flightdeck</code> CLI, <code>/api/v1</code>). A read token reads rollouts; a deploy token
        also starts, pauses, resumes, promotes and aborts; a rollback token only rolls regions back (the emergency workflow). A token never does more than you
        may: it acts with your roles at each use, and stops when you are disabled or when it expires (90 days unless you choose). It is shown once; the audit
        log names it as the actor.
      </p>
      <HydrateClient>
        <Suspense fallback={<p className="mt-6 text-sm text-slate-600">Loading tokens…</p>}>
          <ApiTokensPanel />
        </Suspense>
      </HydrateClient>
    </main>
  );
}
