/** Services: the deployable applications of the fleet config, upserted at start. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function serviceRepository(q: Query) {
  void q;
  return {};
}
