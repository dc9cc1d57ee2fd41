/** The append-only event log (audit page, live feed, cards). */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function eventRepository(q: Query) {
  void q;
  return {};
}
