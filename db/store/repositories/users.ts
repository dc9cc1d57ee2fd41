/** Users, their OAuth accounts and role changes. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function userRepository(q: Query) {
  void q;
  return {};
}
