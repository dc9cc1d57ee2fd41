/** Region rollouts: the engine's state per region, saved version-checked. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function regionRolloutRepository(q: Query) {
  void q;
  return {};
}
