/**
 * The remote commands of one SSH deploy, as plain data: fetch (or upload) the artifact into a staging file,
 * verify its sha256 on the host before anything else, unpack it into `<installDir>/<colour>/releases/<version>`,
 * switch the colour's `current` symlink, restart the colour's service, record in the release that it was
 * restarted, check its health. Each step is its own command so each one's output is recorded apart, and a
 * failure names the step. The digest file and the restart record are what ./status-script.ts reads back.
 */
import type { Colour } from "../types";
import { ProviderError } from "../types";
import { redactUrl } from "@/server/redact-url";
import { shellQuote as q } from "../ssh-exec";

/** The exit code of the verify step when the digest does not match: the deploy stops, nothing is installed. */
export const DIGEST_MISMATCH_EXIT = 65;

/** In a release directory: the digest verified before it was unpacked, and (once its restart ran) that digest again. */
export const DIGEST_FILE = ".flightdeck-digest";
export const RESTARTED_FILE = ".flightdeck-restarted";

export type DeployPlanInput = {
  installDir: string;
  colour: Colour;
  version: string;
  digest: string;
  url: string | null;
  transfer: "fetch" | "upload";
  restartCommand: string;
  healthUrl?: string;
  /** The colour's host as Flightdeck reaches it (`{host}`) and its application port (`{port}`). */
  host: string;
  port?: number;
  correlationId: string;
  /** Health probes, one second apart, before the deploy counts as failed. */
  healthAttempts: number;
};

export type DeployStepName = "prepare" | "fetch" | "upload" | "verify" | "install" | "switch" | "restart" | "record" | "health";

export type DeployStep = { name: Exclude<DeployStepName, "upload">; kind: "exec"; command: string } | { name: "upload"; kind: "upload"; remotePath: string };

/** `healthUrl`: the URL the health step checks (placeholders filled), null when no health check is configured. */
export type DeployPlan = { stagingFile: string; releaseDir: string; steps: DeployStep[]; healthUrl: string | null };

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
const DIGEST = /^sha256:([0-9a-f]{64})$/;
const SAFE_DIR = /^\/[A-Za-z0-9._/-]*$/;

/** Release directories kept per colour (the one just installed included). */
export const KEEP_RELEASES = 3;

function refuse(message: string): never {
  throw new ProviderError("deploy-ssh", message);
}

/** `{colour}`, `{host}`, `{port}`, `{version}`, `{releaseDir}` in a configured command or URL. */
export function fillPlaceholders(template: string, values: { colour: Colour; host: string; port?: number; version: string; releaseDir: string }): string {
  return template
    .replaceAll("{colour}", values.colour)
    .replaceAll("{host}", values.host)
    .replaceAll("{port}", values.port === undefined ? "" : String(values.port))
    .replaceAll("{version}", values.version)
    .replaceAll("{releaseDir}", values.releaseDir);
}

/** The colour's directory on its host: one host per colour keeps both under installDir/<colour>; `{colour}` in installDir places them itself. */
export function colourDirOf(installDir: string, colour: Colour): string {
  const dir = (installDir.includes("{colour}") ? installDir.replaceAll("{colour}", colour) : `${installDir.replace(/\/+$/, "")}/${colour}`).replace(/\/+$/, "");
  if (!SAFE_DIR.test(dir) || dir.split("/").includes(".."))
    refuse(`installDir ${JSON.stringify(installDir)} must be an absolute path of letters, digits, ".", "_", "-" and "/"`);
  return dir;
}

export function planDeploy(input: DeployPlanInput): DeployPlan {
  if (!VERSION.test(input.version)) refuse(`version ${JSON.stringify(input.version)} cannot name a directory: expected letters, digits, ".", "_", "+" or "-"`);
  const hex = DIGEST.exec(input.digest)?.[1] ?? refuse(`digest ${JSON.stringify(input.digest)} is not sha256:<64 lowercase hex digits>`);
  const colourDir = colourDirOf(input.installDir, input.colour);
  if (input.transfer === "fetch" && !/^https?:\/\//.test(input.url ?? "")) {
    refuse(`artifact ${input.version} has no http(s) URL for the host to fetch (${JSON.stringify(input.url && redactUrl(input.url))}); register it with a URL`);
  }

  const releaseDir = `${colourDir}/releases/${input.version}`;
  const staging = `${colourDir}/.incoming`;
  const stagingFile = `${staging}/${input.version}-${hex.slice(0, 12)}.artifact`;
  const fill = (template: string) =>
    fillPlaceholders(template, { colour: input.colour, host: input.host, port: input.port, version: input.version, releaseDir });

  const steps: DeployStep[] = [
    { name: "prepare", kind: "exec", command: `set -eu; mkdir -p ${q(staging)} ${q(`${colourDir}/releases`)}; echo "staging in ${staging}"` },
  ];
  if (input.transfer === "upload") steps.push({ name: "upload", kind: "upload", remotePath: stagingFile });
  else steps.push({ name: "fetch", kind: "exec", command: fetchCommand(input.url!, stagingFile) });
  steps.push(
    { name: "verify", kind: "exec", command: verifyCommand(stagingFile, hex) },
    { name: "install", kind: "exec", command: installCommand(stagingFile, releaseDir, input.digest, input.version) },
    { name: "switch", kind: "exec", command: switchCommand(colourDir, input.version) },
    { name: "restart", kind: "exec", command: restartCommand(input, releaseDir, fill(input.restartCommand)) },
    // Also written by the restart step as soon as the restart succeeds; kept as its own step for the log.
    { name: "record", kind: "exec", command: recordCommand(releaseDir, input.digest) },
  );
  const healthUrl = input.healthUrl ? fill(input.healthUrl) : null;
  if (healthUrl) steps.push({ name: "health", kind: "exec", command: healthCommand(healthUrl, input.healthAttempts) });
  return { stagingFile, releaseDir, steps, healthUrl };
}

function fetchCommand(url: string, file: string): string {
  return [
    "set -eu",
    `f=${q(file)}; tmp="$f.part"; rm -f "$tmp"`,
    `if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 --retry-connrefused --connect-timeout 10 -o "$tmp" ${q(url)}`,
    `elif command -v wget >/dev/null 2>&1; then wget -q -T 10 -t 3 -O "$tmp" ${q(url)}`,
    `else echo "neither curl nor wget is installed on this host" >&2; exit 127; fi`,
    `mv -f "$tmp" "$f"`,
    // The log shows the URL without its query: a presigned URL's signature must not reach the events.
    `echo "fetched ${redactUrl(url).replace(/["$`\\]/g, "")} ($(wc -c < "$f") bytes)"`,
  ].join("\n");
}

function verifyCommand(file: string, hex: string): string {
  return [
    "set -eu",
    `f=${q(file)}; want=${hex}`,
    `got=$(sha256sum "$f" | cut -d' ' -f1)`,
    `if [ "$got" != "$want" ]; then rm -f "$f"; echo "digest mismatch: expected sha256:$want, the file on the host is sha256:$got; nothing was installed" >&2; exit ${DIGEST_MISMATCH_EXIT}; fi`,
    `echo "digest verified on the host: sha256:$got"`,
  ].join("\n");
}

function installCommand(file: string, releaseDir: string, digest: string, version: string): string {
  return [
    "set -eu",
    `f=${q(file)}; rel=${q(releaseDir)}`,
    `rm -rf "$rel.partial"; mkdir -p "$rel.partial"`,
    `tar -xf "$f" -C "$rel.partial"`,
    `printf '%s\\n' ${q(digest)} > "$rel.partial/${DIGEST_FILE}"`,
    `rm -rf "$rel"; mv "$rel.partial" "$rel"; rm -f "$f"`,
    `echo "installed ${version} in $rel ($(find "$rel" -type f | wc -l) files)"`,
  ].join("\n");
}

function switchCommand(colourDir: string, version: string): string {
  return [
    "set -eu",
    `cd ${q(colourDir)}`,
    `ln -sfn ${q(`releases/${version}`)} current.next && mv -Tf current.next current`,
    // Old releases go; the one just installed stays whatever its date.
    `ls -1t releases | grep -vxF ${q(version)} | tail -n +${KEEP_RELEASES} | while read -r old; do rm -rf "releases/$old"; done`,
    `echo "current -> releases/${version}"`,
  ].join("\n");
}

function restartCommand(input: DeployPlanInput, releaseDir: string, command: string): string {
  const vars: Array<[string, string]> = [
    ["FLIGHTDECK_CORRELATION_ID", input.correlationId],
    ["FLIGHTDECK_COLOUR", input.colour],
    ["FLIGHTDECK_VERSION", input.version],
    ["FLIGHTDECK_DIGEST", input.digest],
    ["FLIGHTDECK_RELEASE_DIR", releaseDir],
  ];
  if (input.port !== undefined) vars.push(["FLIGHTDECK_PORT", String(input.port)]);
  // Flightdeck dying mid-restart leaves the host's shell running to its end, but its first write to the dead
  // session's stdout kills it (SIGPIPE): the restart's output goes to files, and the record is written the moment
  // the restart succeeds, before anything is printed. Otherwise the next deploy would restart the colour again.
  return [
    `cd ${q(releaseDir)}`,
    ...vars.map(([k, v]) => `export ${k}=${q(v)}`),
    `out=.flightdeck-restart.out; err=.flightdeck-restart.err; rc=0`,
    `(\n${command}\n) >"$out" 2>"$err" || rc=$?`,
    `if [ "$rc" -eq 0 ]; then printf '%s\\n' ${q(input.digest)} > ${q(RESTARTED_FILE)}; fi`,
    `cat "$out"; cat "$err" >&2; rm -f "$out" "$err"; exit "$rc"`,
  ].join("\n");
}

/** After the restart: a deploy cut short before this line is not finished, whatever `current` says. */
function recordCommand(releaseDir: string, digest: string): string {
  return [
    "set -eu",
    `printf '%s\\n' ${q(digest)} > ${q(`${releaseDir}/${RESTARTED_FILE}`)}`,
    `echo "restart recorded in ${releaseDir}/${RESTARTED_FILE}"`,
  ].join("\n");
}

function healthCommand(url: string, attempts: number): string {
  const n = Math.max(1, Math.floor(attempts));
  return [
    `url=${q(url)}; n=${n}; i=0; code=none`,
    `while [ "$i" -lt "$n" ]; do`,
    `  i=$((i + 1))`,
    `  if command -v curl >/dev/null 2>&1; then code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$url" || true)`,
    `  elif wget -q -T 5 -O /dev/null "$url"; then code=200; else code=failed; fi`,
    `  if [ "$code" = 200 ]; then echo "health check: $url answered 200 after $i attempt(s)"; exit 0; fi`,
    `  [ "$i" -lt "$n" ] && sleep 1`,
    `done`,
    `echo "health check failed: $url answered $code after $n attempt(s)" >&2; exit 1`,
  ].join("\n");
}

const MARK = "::flightdeck-step::";
const FAILED = "::flightdeck-failed::";

export type ExecStep = Extract<DeployStep, { kind: "exec" }>;

/**
 * Several steps as one remote script, so a deploy costs one round trip per batch, not one per step. Each step
 * runs in its own subshell (its `set -e` holds there) behind a marker on stdout and stderr; the first step
 * that fails ends the script with its exit code.
 */
export function batchScript(steps: ExecStep[]): string {
  return steps
    .map((step) =>
      [
        `echo '${MARK}${step.name}'; echo '${MARK}${step.name}' >&2`,
        "(",
        step.command,
        ")",
        `rc=$?; if [ "$rc" -ne 0 ]; then echo "${FAILED}${step.name}::$rc"; exit "$rc"; fi`,
      ].join("\n"),
    )
    .join("\n");
}

export type StepOutput = { name: string; stdout: string; stderr: string };

/** A batch's output, step by step; which step failed (and its code), or the last one that started. */
export function splitBatchOutput(stdout: string, stderr: string): { steps: StepOutput[]; failed: { name: string; code: number } | null; last: string | null } {
  const steps = new Map<string, StepOutput>();
  let failed: { name: string; code: number } | null = null;
  let last: string | null = null;
  const walk = (text: string, stream: "stdout" | "stderr") => {
    let current: StepOutput | null = null;
    for (const line of text.split("\n")) {
      if (line.startsWith(MARK)) {
        const name = line.slice(MARK.length);
        current = steps.get(name) ?? { name, stdout: "", stderr: "" };
        steps.set(name, current);
        if (stream === "stdout") last = name;
        continue;
      }
      if (stream === "stdout" && line.startsWith(FAILED)) {
        const [name, code] = line.slice(FAILED.length).split("::");
        failed = { name, code: Number(code) };
        continue;
      }
      if (current && line !== "") current[stream] += line + "\n";
    }
  };
  walk(stdout, "stdout");
  walk(stderr, "stderr");
  return { steps: [...steps.values()], failed, last };
}
