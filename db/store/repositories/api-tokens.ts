/** API tokens (hashes only). */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function apiTokenRepository(q: Query) {
  void q;
  return {};
}
