/** Samples: observations of the new colour and its baseline, with their verdicts. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function sampleRepository(q: Query) {
  void q;
  return {};
}
