/** Rollouts: one row per release of an artifact across regions. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function rolloutRepository(q: Query) {
  void q;
  return {};
}
