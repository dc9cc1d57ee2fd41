import { NotFoundMessage } from "@/components/ui/not-found-message";

/** A region id the fleet's configuration does not name. */
export default function RegionNotFound() {
  return (
    <NotFoundMessage title="No such region" back={[{ href: "/", label: "Back to the overview, which lists every region" }]}>
      <p>The fleet&apos;s configuration names no region with this id. It may have been renamed or removed from the configuration.</p>
    </NotFoundMessage>
  );
}
