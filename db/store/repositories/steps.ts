/** Step keys: one row per idempotent effect of the engine. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function stepRepository(q: Query) {
  void q;
  return {};
}
