/** Serves the lab's artifacts over HTTP on 127.0.0.1, so a host can fetch an artifact by its URL. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { labPaths } from "../layout";
import { spawnDetached, waitForPort, type LabProcess } from "../process";

const SERVE_FILES = path.join(path.dirname(fileURLToPath(import.meta.url)), "serve-files.mjs");

export async function startArtifactServer({ dir, port }: { dir: string; port: number }): Promise<LabProcess & { url: string }> {
  const files = labPaths(dir).artifacts;
  mkdirSync(files, { recursive: true });
  const proc = spawnDetached({ dir, name: "artifacts", command: process.execPath, args: [SERVE_FILES, files, String(port)] });
  await waitForPort(proc, port);
  return { ...proc, url: `http://127.0.0.1:${port}` };
}
