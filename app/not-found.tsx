import type { Metadata } from "next";
import { NotFoundMessage } from "@/components/ui/not-found-message";

export const metadata: Metadata = { title: "Page not found · Flightdeck" };

/** Any address the app does not know. */
export default function NotFound() {
  return (
    <NotFoundMessage
      title="There is no page at this address"
      back={[
        { href: "/", label: "Back to the overview" },
        { href: "/rollouts", label: "All rollouts" },
        { href: "/docs", label: "Docs" },
      ]}
    >
      <p>The link may be mistyped or out of date. Rollouts, regions and docs keep their addresses, so a bookmark of one keeps working.</p>
    </NotFoundMessage>
  );
}
