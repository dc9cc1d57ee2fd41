/**
 * Lab processes: started detached (their own process group, output to a log file, a pid file in `pids/`) so
 * they outlive `npm run lab`, and stopped by that pid file. A pid is only signalled while its command line
 * still names the lab dir, so a stale pid file can never kill an unrelated process that reused the pid.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { LabError } from "./errors";
import { labPaths, logFile, pidFile } from "./layout";

export type LabProcess = { name: string; pid: number; log: string; stop(): Promise<void> };

const DEBIAN_PACKAGES: Record<string, string> = {
  "/usr/sbin/haproxy": "haproxy",
  "/usr/sbin/nginx": "nginx",
  "/usr/bin/prometheus": "prometheus",
  "/usr/bin/prometheus-pushgateway": "prometheus-pushgateway",
  "/usr/sbin/sshd": "openssh-server",
};

export type SpawnInput = { dir: string; name: string; command: string; args: string[]; cwd?: string; env?: NodeJS.ProcessEnv };

export function spawnDetached({ dir, name, command, args, cwd, env }: SpawnInput): LabProcess {
  if (path.isAbsolute(command) && !existsSync(command)) {
    const pkg = DEBIAN_PACKAGES[command];
    throw new LabError(`${name}: ${command} is not installed${pkg ? ` (apt-get install ${pkg}, or run \`npm run lab\` as root once)` : ""}`);
  }
  mkdirSync(labPaths(dir).pids, { recursive: true });
  mkdirSync(labPaths(dir).logs, { recursive: true });
  const log = logFile(dir, name);
  const fd = openSync(log, "a");
  const child = spawn(command, args, { cwd, env: env ?? process.env, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  child.on("error", () => {}); // a missing command is reported below; never an unhandled 'error' event
  if (!child.pid) throw new LabError(`${name}: could not start ${command}\n${tail(log)}`);
  child.unref();
  writeFileSync(pidFile(dir, name), `${child.pid}\n`);
  const pid = child.pid;
  return { name, pid, log, stop: () => stopByPidFile(dir, name) };
}

/** A live process, not a zombie that nobody reaped yet. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The live children of a process (nginx's workers), from /proc. */
export function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return fields[0] !== "Z" && Number(fields[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

export function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 1 ? pid : null;
}

/** Every pid file of the lab: name, pid, and whether it still runs a lab process. */
export function labProcesses(dir: string): Array<{ name: string; pid: number | null; alive: boolean }> {
  const pids = labPaths(dir).pids;
  if (!existsSync(pids)) return [];
  return readdirSync(pids)
    .filter((f) => f.endsWith(".pid"))
    .sort()
    .map((f) => {
      const pid = readPid(path.join(pids, f));
      return { name: f.slice(0, -4), pid, alive: pid !== null && isAlive(pid) && commandLine(pid).includes(dir) };
    });
}

/** SIGTERM to the process group (workers too), SIGKILL after `graceMs`; then the pid file goes. */
export async function stopByPidFile(dir: string, name: string, graceMs = 5000): Promise<void> {
  const file = pidFile(dir, name);
  const pid = readPid(file);
  if (pid !== null && isAlive(pid) && commandLine(pid).includes(dir)) {
    signal(pid, "SIGTERM");
    const gone = await waitUntil(() => !isAlive(pid), graceMs);
    if (!gone) {
      signal(pid, "SIGKILL");
      await waitUntil(() => !isAlive(pid), 2000);
    }
    // A dead process lingers as <defunct> until init reaps it (about a second here): wait, so nothing shows.
    await waitUntil(() => !existsSync(`/proc/${pid}`), 3000, 100);
  }
  rmSync(file, { force: true });
}

function signal(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(-pid, sig); // its process group: nginx workers, a service's children
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function portAnswers(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** Wait for a started server to accept connections; throw with its log tail if it dies or takes too long. */
export async function waitForPort(proc: LabProcess, port: number, timeoutMs = 10_000): Promise<void> {
  let died = false;
  const up = await waitUntil(async () => {
    if (!isAlive(proc.pid)) return (died = true);
    return portAnswers(port);
  }, timeoutMs);
  if (!up || died) {
    await proc.stop();
    throw new LabError(
      `${proc.name} ${died ? "exited" : `did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`}; last lines of ${proc.log}:\n${tail(proc.log)}`,
    );
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") || "(empty log)";
}
