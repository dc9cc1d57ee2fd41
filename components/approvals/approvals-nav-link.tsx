"use client";
/** "Approvals" in the navigation, with how many gates wait for the signed-in person's decision (checked every 15 s). */
import { useQuery } from "@tanstack/react-query";
import { NavLink } from "@/components/nav-link";
import { useTRPC } from "@/components/trpc/client";

const REFRESH_MS = 15_000;

/** Shown only to a signed-in person whose roles may decide (server/auth/nav-items.ts). */
export function ApprovalsNavLink() {
  const trpc = useTRPC();
  const { data } = useQuery({ ...trpc.approvals.waitingForMe.queryOptions(), refetchInterval: REFRESH_MS, retry: false });
  const count = data?.count ?? 0;
  return (
    <NavLink href="/approvals">
      Approvals
      {count > 0 ? (
        <span data-testid="approvals-waiting" className="ml-1.5 rounded-full bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900">
          {count}
          <span className="sr-only"> waiting for you</span>
        </span>
      ) : null}
    </NavLink>
  );
}
