/** Stage rows of a region rollout (plan and outcome per stage). */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function stageRepository(q: Query) {
  void q;
  return {};
}
