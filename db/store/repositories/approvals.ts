/** Approvals of the gate before a production environment (append-only). */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function approvalRepository(q: Query) {
  void q;
  return {};
}
