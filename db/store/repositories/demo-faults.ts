/** Faults injected into the demo fleet. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function demoFaultRepository(q: Query) {
  void q;
  return {};
}
