import Link from "next/link";
import type { Metadata } from "next";
import { safeReturnPath } from "@/server/auth/guard";
import { getSessionUser } from "@/server/auth/session";
import { signInChoices } from "@/server/auth/sign-in-choices";
import { describeSignInError } from "@/server/auth/sign-in-errors";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "Sign in · Flightdeck" };
// Reads the session, the config and the database on every request.
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeReturnPath(first(params.callbackUrl)) ?? "/";
  const error = first(params.error);
  const expired = first(params.reason) === "expired";
  const choices = await signInChoices();
  const current = await getSessionUser();

  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 p-6">
      <header>
        <h1 className="text-2xl font-semibold">Sign in to Flightdeck</h1>
        <p className="mt-1 text-sm text-slate-600">Multi-region blue/green canary rollouts.</p>
      </header>

      {expired ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          Your session has expired or was ended. Sign in again to continue.
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
          {describeSignInError(error)}
        </p>
      ) : null}
      {current ? (
        <p className="rounded-md border border-slate-200 bg-white p-3 text-sm">
          You are signed in as {current.name} ({current.roles.join(", ")}).{" "}
          <Link href={callbackUrl} className="font-medium text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-600">
            Continue
          </Link>
        </p>
      ) : null}

      <SignInForm callbackUrl={callbackUrl} demoUsers={choices.demoUsers} oauth={choices.oauth} />
    </main>
  );
}
