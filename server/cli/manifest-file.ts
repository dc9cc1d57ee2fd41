/**
 * `flightdeck rollout start --manifest <file>`: the release manifest read on the CI machine, from `flightdeck.json`
 * itself or from the root of the built artifact (a .tar.gz, read with the system tar), then sent with the start
 * (docs/configuration.md#release-manifest-flightdeckjson). Errors name the file and each field, as the server would.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ReleaseManifest } from "@/db/schema/artifacts";
import { ServiceError } from "@/server/services/errors";
import { parseManifestText } from "@/server/services/schema-compat";
import { ArgumentError } from "./simulate-args";

const ARCHIVE = /\.(tar\.gz|tgz)$/;
const AT_ROOT = ["flightdeck.json", "./flightdeck.json"];

/** The text of `flightdeck.json` at the archive's root, or null when it has none. */
function manifestInArchive(file: string): string | null {
  const list = spawnSync("tar", ["-tzf", file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (list.status !== 0) throw new ArgumentError(`--manifest: tar could not read ${file}: ${(list.stderr || list.error?.message || "").trim()}`);
  const entry = list.stdout.split("\n").find((name) => AT_ROOT.includes(name));
  if (!entry) return null;
  const read = spawnSync("tar", ["-xzOf", file, entry], { encoding: "utf8" });
  if (read.status !== 0) throw new ArgumentError(`--manifest: tar could not extract ${entry} from ${file}: ${read.stderr.trim()}`);
  return read.stdout;
}

export function readManifestFile(file: string): ReleaseManifest {
  let text: string;
  try {
    if (ARCHIVE.test(file)) {
      const found = manifestInArchive(file);
      if (found === null) throw new ArgumentError(`--manifest: ${file} has no flightdeck.json at its root.`);
      text = found;
    } else text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof ArgumentError) throw err;
    throw new ArgumentError(`--manifest: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseManifestText(text, ARCHIVE.test(file) ? `${file}:flightdeck.json` : file);
  } catch (err) {
    if (err instanceof ServiceError) throw new ArgumentError(`--manifest: ${err.message}`);
    throw err;
  }
}
