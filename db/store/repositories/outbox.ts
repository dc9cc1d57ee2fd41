/** The notification outbox: rows written with the events, claimed and sent by the sender. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function outboxRepository(q: Query) {
  void q;
  return {};
}
