/**
 * Artifacts of the sample service: a `.tar.gz` (made with the system tar) of its code plus a `release.json`
 * that sets the release's behaviour. The same release always gives the same bytes (sorted names, fixed times,
 * `gzip -n`), so the same version built twice has the same digest, as Flightdeck's immutable artifacts expect.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { LabError } from "./errors";
import { DEFAULT_LAB_DIR, PROJECT_ROOT, labLayout, labPaths } from "./layout";

export const SAMPLE_SERVICE_DIR = path.join(PROJECT_ROOT, "lab/sample-service");

export const ReleaseInput = z.strictObject({
  version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/, "expected a version such as 1.4.2"),
  errorRatePct: z.number().min(0).max(100).default(0),
  extraLatencyMs: z.number().min(0).max(60_000).default(0),
  /** What /health answers; anything but 200 makes load balancer health checks take the colour out. */
  healthStatus: z.int().min(100).max(599).optional(),
});
export type ReleaseInput = z.input<typeof ReleaseInput>;

export type BuiltArtifact = { version: string; path: string; digest: string; url: string };

/** `manifest`: written as `flightdeck.json` at the artifact's root (the release manifest, docs/configuration.md#release-manifest-flightdeckjson). */
export type BuildOptions = { dir?: string; baseUrl?: string; manifest?: unknown };

export function artifactFileName(version: string): string {
  return `sample-service-${version}.tar.gz`;
}

export function buildArtifact(input: ReleaseInput, options: BuildOptions = {}): BuiltArtifact {
  const release = ReleaseInput.parse(input);
  const dir = options.dir ?? DEFAULT_LAB_DIR;
  const baseUrl = options.baseUrl ?? `http://127.0.0.1:${labLayout(dir).ports.artifacts}`;
  const outDir = labPaths(dir).artifacts;
  mkdirSync(outDir, { recursive: true });

  const staging = mkdtempSync(path.join(os.tmpdir(), "lab-artifact-"));
  try {
    for (const file of readdirSync(SAMPLE_SERVICE_DIR)) {
      if (file === "package.json" || (file.endsWith(".mjs") && !file.includes(".test.")))
        copyFileSync(path.join(SAMPLE_SERVICE_DIR, file), path.join(staging, file));
    }
    writeFileSync(path.join(staging, "release.json"), JSON.stringify(release, null, 2) + "\n");
    if (options.manifest !== undefined) writeFileSync(path.join(staging, "flightdeck.json"), JSON.stringify(options.manifest, null, 2) + "\n");
    const target = path.join(outDir, artifactFileName(release.version));
    const partial = `${target}.partial`;
    const tar = spawnSync(
      "tar",
      ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--use-compress-program=gzip -n", "-C", staging, "-cf", partial, "."],
      { encoding: "utf8" },
    );
    if (tar.status !== 0) throw new LabError(`tar could not build ${release.version}: ${tar.stderr || tar.error?.message}`);
    renameSync(partial, target);
    const digest = `sha256:${createHash("sha256").update(readFileSync(target)).digest("hex")}`;
    return { version: release.version, path: target, digest, url: `${baseUrl}/${path.basename(target)}` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
