"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import type { Role } from "@/server/auth/roles";

const field =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus-visible:border-blue-600 focus-visible:outline-2 focus-visible:outline-blue-600";

/** A local user (email and password) for people who do not sign in through GitHub or single sign-on. */
export function CreateUserForm({ roles: ROLES, minPasswordLength }: { roles: readonly Role[]; minPasswordLength: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation(
    trpc.admin.createUser.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.queryKey() }),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = String(data.get("email") ?? "");
    setCreated(null);
    create.mutate(
      { email, name: String(data.get("name") ?? ""), password: String(data.get("password") ?? ""), roles: [String(data.get("role") ?? "viewer")] },
      {
        onSuccess: () => {
          setCreated(email);
          form.reset();
        },
      },
    );
  }

  return (
    <form onSubmit={onSubmit} aria-labelledby="create-user-heading" className="mt-8 max-w-2xl rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="create-user-heading" className="text-base font-semibold">
        Add a local user
      </h2>
      <p className="mt-1 text-xs text-slate-600">
        Signs in with email and password. Give them the password in person; they keep it until an admin disables the account.
      </p>
      <div className="mt-3 grid gap-3 sm:grid-cols-2">
        <label className="text-sm">
          Name
          <input name="name" required autoComplete="off" className={field} />
        </label>
        <label className="text-sm">
          Email
          <input name="email" type="email" required autoComplete="off" className={field} />
        </label>
        <label className="text-sm">
          Password (at least {minPasswordLength} characters)
          <input name="password" type="password" required minLength={minPasswordLength} autoComplete="new-password" className={field} />
        </label>
        <label className="text-sm">
          Role
          <select name="role" defaultValue="viewer" className={field}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="mt-3 flex items-center gap-3">
        <button
          type="submit"
          disabled={create.isPending}
          className="rounded-md bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {create.isPending ? "Adding…" : "Add user"}
        </button>
        {created ? (
          <span role="status" className="text-sm text-green-800">
            Added {created}.
          </span>
        ) : null}
        {create.error ? (
          <span role="alert" className="text-sm text-red-800">
            {create.error.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}
