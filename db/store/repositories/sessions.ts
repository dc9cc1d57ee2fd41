/** Sign-in sessions. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function sessionRepository(q: Query) {
  void q;
  return {};
}
