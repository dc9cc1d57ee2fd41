import Link from "next/link";
import type { Metadata } from "next";
import { getConfig } from "@/server/config";
import { describeRefusal } from "@/server/auth/sign-in-errors";

export const metadata: Metadata = { title: "Sign-in refused · Flightdeck" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

/** Where a GitHub or OIDC sign-in that the allow list (or a disabled account) refused lands: why, and whom to ask. */
export default async function SignInRefusedPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const refusal = describeRefusal(first(params.reason), first(params.provider), getConfig().config.auth.contact);
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 p-6">
      <section role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-6 text-amber-950">
        <h1 className="text-lg font-semibold">{refusal.title}</h1>
        <p className="mt-2 text-sm">{refusal.why}</p>
        <p className="mt-2 text-sm">{refusal.ask}</p>
        <p className="mt-4 text-sm">
          <Link href="/signin" className="rounded font-medium underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-700">
            Back to sign-in
          </Link>
        </p>
      </section>
    </main>
  );
}
