/**
 * Runner ids, `${hostname}:${pid}:${random}`, and what they tell a restarted process: a lease whose owner names
 * this host and a process that is gone was left by a crash, and need not be waited out.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

/** The ids of the runners made in this process: another id with our host and pid is a predecessor's. */
const madeHere = new Set<string>();

/** A new runner's id (or the one it was given), remembered as one of this process. */
export function runnerIdOf(given?: string): string {
  const id = given ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  madeHere.add(id);
  return id;
}

/**
 * Whether `runnerId` names a process of this host that is gone: signal 0 fails with ESRCH (EPERM means it runs
 * as another user), or it has our own pid under an id no runner of this process has (a restarted container gets
 * the same pid). Ids of another shape (tests, the simulator, the benchmark) are never judged dead.
 */
export function isDeadOnThisHost(runnerId: string): boolean {
  const match = /^(.+):(\d+):[^:]*$/.exec(runnerId);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return !madeHere.has(runnerId);
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
