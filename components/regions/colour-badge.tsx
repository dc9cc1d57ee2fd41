import type { Colour } from "@/db/schema/region-states";

const STYLES: Record<Colour, string> = {
  blue: "bg-sky-50 text-sky-800 ring-sky-200",
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
};
const DOTS: Record<Colour, string> = { blue: "bg-sky-500", green: "bg-emerald-500" };

/** Which colour serves the region's users now. */
export function LiveColourBadge({ colour }: { colour: Colour }) {
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[colour]}`}>
      <span aria-hidden="true" className={`size-2 rounded-full ${DOTS[colour]}`} />
      {colour} live
    </span>
  );
}
