import { NotFoundMessage } from "@/components/ui/not-found-message";

/** A doc page that docs/ does not hold. */
export default function DocNotFound() {
  return (
    <NotFoundMessage title="No such doc page" back={[{ href: "/docs", label: "All docs" }]}>
      <p>The docs have no page by this name. It may have been renamed; the list of docs has every page there is.</p>
    </NotFoundMessage>
  );
}
