"use client";

import { useState, type FormEvent } from "react";
import { signIn } from "next-auth/react";
import type { Role } from "@/server/auth/roles";
import { describeSignInError } from "@/server/auth/sign-in-errors";

type DemoUserChoice = { id: string; name: string; seededRole: Role; roles: Role[] };
type OAuthChoice = { id: string; name: string };

/** A ref that focuses its element once, when it appears (a stable function, so re-renders do not steal the focus back). */
const focusOnMount = (el: HTMLElement | null) => el?.focus();
const button =
  "w-full rounded-md px-4 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-60";
const field =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus-visible:border-blue-600 focus-visible:outline-2 focus-visible:outline-blue-600";

export function SignInForm({ callbackUrl, demoUsers, oauth }: { callbackUrl: string; demoUsers: DemoUserChoice[]; oauth: OAuthChoice[] }) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Credentials sign-in without next-auth's redirect: we navigate to a path we checked, with a full load so the
  // server components see the new cookie.
  async function signInWith(provider: "local" | "demo", fields: Record<string, string>) {
    setPending(provider === "demo" ? fields.userId : provider);
    setError(null);
    try {
      const res = await signIn(provider, { ...fields, redirect: false, callbackUrl });
      if (res?.ok && !res.error) {
        window.location.assign(callbackUrl);
        return;
      }
      setError(describeSignInError(res?.error ?? "Callback"));
    } catch {
      setError("The server could not be reached. Check your connection and try again.");
    }
    setPending(null);
  }

  function onLocalSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    void signInWith("local", { email: String(data.get("email") ?? ""), password: String(data.get("password") ?? "") });
  }

  return (
    <div className="flex flex-col gap-6">
      {error ? (
        // The pressed button was disabled while signing in, so the focus fell to the page: the message takes it.
        <p
          role="alert"
          tabIndex={-1}
          ref={focusOnMount}
          data-testid="signin-error"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 outline-none focus-visible:ring-2 focus-visible:ring-red-600"
        >
          {error}
        </p>
      ) : null}

      {demoUsers.length > 0 ? (
        <section aria-labelledby="demo-heading" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="demo-heading" className="text-sm font-semibold">
            Demo mode: sign in with one click
          </h2>
          <p className="mt-1 text-xs text-slate-600">One demo user per role. Demo sign-in works only while demo mode is on.</p>
          <ul className="mt-3 flex flex-col gap-2">
            {demoUsers.map((u) => (
              <li key={u.id}>
                <button
                  type="button"
                  data-testid={`demo-signin-${u.seededRole}`}
                  disabled={pending !== null}
                  onClick={() => void signInWith("demo", { userId: u.id })}
                  className={`${button} bg-slate-900 text-white hover:bg-slate-700`}
                >
                  {pending === u.id ? "Signing in…" : `Sign in as ${u.name} (${u.roles.join(", ")})`}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <form onSubmit={onLocalSubmit} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="local-heading">
        <h2 id="local-heading" className="text-sm font-semibold">
          Email and password
        </h2>
        <label className="text-sm">
          Email
          <input name="email" type="email" autoComplete="username" required className={field} />
        </label>
        <label className="text-sm">
          Password
          <input name="password" type="password" autoComplete="current-password" required className={field} />
        </label>
        <button type="submit" disabled={pending !== null} className={`${button} bg-blue-700 text-white hover:bg-blue-600`}>
          {pending === "local" ? "Signing in…" : "Sign in"}
        </button>
      </form>

      {oauth.length > 0 ? (
        <section aria-label="Other ways to sign in" className="flex flex-col gap-2">
          {oauth.map((p) => (
            <button
              key={p.id}
              type="button"
              disabled={pending !== null}
              onClick={() => {
                setPending(p.id);
                void signIn(p.id, { callbackUrl });
              }}
              className={`${button} border border-slate-300 bg-white hover:bg-slate-100`}
            >
              Sign in with {p.name}
            </button>
          ))}
        </section>
      ) : null}
    </div>
  );
}
