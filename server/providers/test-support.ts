/**
 * Helpers for the providers' integration tests against the lab's real servers: free ports on 127.0.0.1 and a
 * temp dir per test file.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Free ports for servers a test starts: the lab's, banded per Vitest worker below the ephemeral range. */
export { freePorts } from "@/lab/test-support";

export function labTempDir(name: string): string {
  return mkdtempSync(path.join(tmpdir(), `flightdeck-${name}-`));
}
