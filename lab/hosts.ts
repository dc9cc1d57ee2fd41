/**
 * The "hosts" of the lab: one install dir per region and colour, laid out as the SSH deploy provider leaves a
 * real host: `releases/<version>/` unpacked from the artifact, `current` pointing at the release in service,
 * and `restart.sh`, the restart command, which stops the running service (by its pid file) and starts
 * `current/server.mjs` detached, returning once the new process listens.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LabError } from "./errors";
import { logFile, pidFile, type LabColour } from "./layout";
import { readPid, tail } from "./process";

export type LabHost = { dir: string; region: string; colour: LabColour; port: number };

export function serviceName(region: string, colour: LabColour): string {
  return `service-${region}-${colour}`;
}

/** Unpack an artifact into `releases/<version>` and point `current` at it (what a deploy does). */
export function installRelease(host: LabHost, artifactPath: string, version: string): void {
  const release = path.join(host.dir, "releases", version);
  rmSync(release, { recursive: true, force: true });
  mkdirSync(release, { recursive: true });
  const tar = spawnSync("tar", ["-xzf", artifactPath, "-C", release], { encoding: "utf8" });
  if (tar.status !== 0) throw new LabError(`could not unpack ${artifactPath}: ${tar.stderr}`);
  const link = path.join(host.dir, "current.next");
  rmSync(link, { force: true });
  symlinkSync(path.join("releases", version), link);
  spawnSync("mv", ["-T", link, path.join(host.dir, "current")]); // atomic swap of the symlink
}

/** Write the host's restart.sh. `labDir` holds the pid and log files, so `lab stop` finds the service. */
export function writeRestartScript(host: LabHost, labDir: string): string {
  const name = serviceName(host.region, host.colour);
  const pid = pidFile(labDir, name);
  mkdirSync(path.dirname(pid), { recursive: true });
  mkdirSync(path.dirname(logFile(labDir, name)), { recursive: true });
  const script = path.join(host.dir, "restart.sh");
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  writeFileSync(
    script,
    `#!/bin/sh
# Restart the ${host.region} ${host.colour} sample service from ./current (a systemd unit's job on a real host).
set -eu
HOST_DIR=${q(host.dir)}
PIDFILE=${q(pid)}
LOG=${q(logFile(labDir, name))}
# Gone, or a zombie that init has not reaped yet.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
if [ -f "$PIDFILE" ]; then
  OLD=$(cat "$PIDFILE")
  rm -f "$PIDFILE"
  # Only a process of this host dir: a stale pid may belong to someone else by now.
  if alive "$OLD" && grep -qF "$HOST_DIR/" "/proc/$OLD/cmdline" 2>/dev/null; then
    kill -TERM "-$OLD" 2>/dev/null || kill -TERM "$OLD" 2>/dev/null || true
    i=0
    while alive "$OLD" && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    if alive "$OLD"; then kill -KILL "-$OLD" 2>/dev/null || kill -KILL "$OLD" 2>/dev/null || true; fi
  fi
fi
[ -e "$HOST_DIR/current/server.mjs" ] || { echo "no release in $HOST_DIR/current" >&2; exit 1; }
PORT=${host.port} REGION=${q(host.region)} COLOUR=${host.colour} PIDFILE="$PIDFILE" \\
  setsid ${q(process.execPath)} "$HOST_DIR/current/server.mjs" >>"$LOG" 2>&1 </dev/null &
NEW=$!
# The service writes its pid file once it listens.
i=0
while [ ! -s "$PIDFILE" ]; do
  alive "$NEW" || { echo "the service exited at start; last lines of $LOG:" >&2; tail -n 15 "$LOG" >&2; exit 1; }
  [ "$i" -lt 200 ] || { echo "the service did not start within 10 s; last lines of $LOG:" >&2; tail -n 15 "$LOG" >&2; exit 1; }
  sleep 0.05; i=$((i + 1))
done
echo "restarted ${host.region} ${host.colour}: $(readlink "$HOST_DIR/current") on port ${host.port}, pid $(cat "$PIDFILE")"
`,
  );
  chmodSync(script, 0o755);
  return script;
}

/** Run the host's restart.sh here (the lab does this at start; Flightdeck does it over SSH). */
export function restartService(host: LabHost, labDir: string): number {
  const script = path.join(host.dir, "restart.sh");
  if (!existsSync(script)) throw new LabError(`${script} does not exist: prepare the host first`);
  const run = spawnSync(script, [], { encoding: "utf8", timeout: 20_000 });
  if (run.status !== 0)
    throw new LabError(`${script} failed (${run.status ?? run.signal}):\n${run.stderr || tail(logFile(labDir, serviceName(host.region, host.colour)))}`);
  const pid = readPid(pidFile(labDir, serviceName(host.region, host.colour)));
  if (pid === null) throw new LabError(`${script} left no pid file`);
  return pid;
}

/** A fresh host running `artifact`: a clean install dir, its restart script, the service started. */
export function startHost(host: LabHost, labDir: string, artifact: { path: string; version: string }): number {
  rmSync(host.dir, { recursive: true, force: true });
  mkdirSync(host.dir, { recursive: true });
  installRelease(host, artifact.path, artifact.version);
  writeRestartScript(host, labDir);
  return restartService(host, labDir);
}
