/** Artifacts: immutable (service, version, digest) rows. */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function artifactRepository(q: Query) {
  void q;
  return {};
}
