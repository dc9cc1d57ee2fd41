/** Runner heartbeats shown by `/api/health`. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function runnerRepository(q: Query) {
  void q;
  return {};
}
