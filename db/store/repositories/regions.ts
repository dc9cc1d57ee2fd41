/** Regions and what each serves now (`region_states`). */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function regionRepository(q: Query) {
  void q;
  return {};
}
