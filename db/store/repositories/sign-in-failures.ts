/** Failed sign-ins, for throttling. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function signInFailureRepository(q: Query) {
  void q;
  return {};
}
