"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { RelativeTime } from "@/components/regions/relative-time";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import type { Role } from "@/server/auth/roles";

type UserRow = RouterOutputs["admin"]["users"][number];

/** `roles` comes from the server page (the canonical list), so the browser bundle carries no schema code. */
export function UserRolesTable({ currentUserId, roles: ROLES }: { currentUserId: string; roles: readonly Role[] }) {
  const trpc = useTRPC();
  const { data: users } = useSuspenseQuery(trpc.admin.users.queryOptions());

  return (
    <div className="relative mt-6 overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm">
        <caption className="sr-only">Users and their roles</caption>
        <thead className="bg-slate-100 text-left">
          <tr>
            <th scope="col" className="px-3 py-2 font-semibold">
              User
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Sign-in
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Last signed in
            </th>
            {ROLES.map((role) => (
              <th key={role} scope="col" className="px-3 py-2 text-center font-semibold">
                {role}
              </th>
            ))}
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Save</span>
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Account
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            // Keyed by the saved roles: after a save the row starts again from what the server holds.
            <UserRolesRow key={`${u.id}:${u.roles.join(",")}:${u.disabled}`} user={u} isSelf={u.id === currentUserId} allRoles={ROLES} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UserRolesRow({ user, isSelf, allRoles: ROLES }: { user: UserRow; isSelf: boolean; allRoles: readonly Role[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const save = useMutation(
    trpc.admin.setRoles.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.queryKey() }),
    }),
  );
  const dirty = roles.join(",") !== user.roles.join(",");
  const toggle = (role: Role, on: boolean) => setRoles((prev) => ROLES.filter((r) => (r === role ? on : prev.includes(r))));
  const kind =
    [user.demo ? "demo" : null, user.local ? "email and password" : null, ...user.providers.map(providerName)].filter(Boolean).join(", ") || "none yet";

  return (
    <tr className={`border-t border-slate-200 ${user.disabled ? "bg-slate-50 text-slate-500" : ""}`} data-testid={`user-row-${user.id}`}>
      <th scope="row" className="px-3 py-2 text-left font-normal">
        <span className="font-medium">{user.name}</span>
        {isSelf ? <span className="ml-1 text-xs text-slate-500">(you)</span> : null}
        <span className="block text-xs text-slate-600">{user.email}</span>
        {user.disabled ? <span className="mt-1 inline-block rounded bg-slate-200 px-1.5 text-xs font-medium text-slate-700">disabled</span> : null}
      </th>
      <td className="px-3 py-2 text-slate-600">{kind}</td>
      <td className="px-3 py-2 text-slate-600" data-testid={`last-sign-in-${user.id}`}>
        {user.lastSignInAt !== null ? <RelativeTime at={user.lastSignInAt} /> : "never"}
      </td>
      {ROLES.map((role) => (
        <td key={role} className="px-3 py-2 text-center">
          <input
            type="checkbox"
            aria-label={`${role} role for ${user.name}`}
            checked={roles.includes(role)}
            onChange={(e) => toggle(role, e.target.checked)}
            className="size-4 accent-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
          />
        </td>
      ))}
      <td className="px-3 py-2">
        <div className="flex items-center gap-2">
          <button
            type="button"
            disabled={!dirty || roles.length === 0 || save.isPending}
            onClick={() => save.mutate({ userId: user.id, roles })}
            className="rounded-md bg-blue-700 px-3 py-1 text-white hover:bg-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50"
          >
            {save.isPending ? "Saving…" : "Save"}
          </button>
          {roles.length === 0 ? <span className="text-xs text-amber-800">Choose at least one role</span> : null}
          {save.error ? (
            <span role="alert" className="text-xs text-red-800">
              {save.error.message}
            </span>
          ) : null}
        </div>
      </td>
      <td className="px-3 py-2">
        <DisableButton user={user} isSelf={isSelf} />
      </td>
    </tr>
  );
}

const PROVIDER_NAMES: Record<string, string> = { github: "GitHub", oidc: "single sign-on" };
const providerName = (id: string) => PROVIDER_NAMES[id] ?? id;

/** Disable (ends the user's sessions and stops their tokens at once) or enable again; the server refuses the last admin. */
function DisableButton({ user, isSelf }: { user: UserRow; isSelf: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const change = useMutation(
    trpc.admin.setDisabled.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.queryKey() }),
    }),
  );
  if (isSelf) return <span className="text-xs text-slate-500">you</span>;
  const label = user.disabled ? `Enable ${user.name}` : `Disable ${user.name}`;
  return (
    <div className="flex items-center gap-2">
      <button
        type="button"
        aria-label={label}
        disabled={change.isPending}
        onClick={() => {
          if (user.disabled || window.confirm(`Disable ${user.name}? Their sessions end and their API tokens stop at once.`)) {
            change.mutate({ userId: user.id, disabled: !user.disabled });
          }
        }}
        className="rounded-md border border-slate-300 bg-white px-3 py-1 text-slate-900 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50"
      >
        {change.isPending ? "Saving…" : user.disabled ? "Enable" : "Disable"}
      </button>
      {change.error ? (
        <span role="alert" className="text-xs text-red-800">
          {change.error.message}
        </span>
      ) : null}
    </div>
  );
}
