import { spawn, type ChildProcess } from "node:child_process";
import { hostname } from "node:os";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, expect, it } from "vitest";
import { leases, runners } from "@/db/schema";
import { rolloutLeaseName } from "./rollout-leases";
import { addUser, createHarness, demoConfig, startInUsEast, type Harness } from "./test-fixtures";

const FAR = 3_600_000;

let h: Harness;
let children: ChildProcess[] = [];
beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
});
afterEach(() => {
  for (const child of children) child.kill("SIGKILL");
  children = [];
  h.cleanup();
});

/** A process that sleeps, as a live runner's would be. */
function sleeper(): ChildProcess {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  children.push(child);
  return child;
}

/** The pid of a process that ran and exited: a runner killed with -9. */
async function deadPid(): Promise<number> {
  const child = sleeper();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return child.pid!;
}

/** A lease held far into the future by `owner`, with its heartbeat row (as its process left them). */
async function leftBy(owner: string, pid: number): Promise<string> {
  const rolloutId = await startInUsEast(h, addUser(h.db, "dana", "Dana", ["deployer"]));
  const now = h.clock.now();
  h.db.raw
    .insert(leases)
    .values({ name: rolloutLeaseName(rolloutId), owner, expiresAt: now + FAR, token: 4 })
    .run();
  h.db.raw
    .insert(runners)
    .values({ id: owner, pid, host: hostname(), startedAt: now - 60_000, heartbeatAt: now - 500 })
    .run();
  return rolloutId;
}

const leaseOf = (rolloutId: string) =>
  h.db.raw
    .select()
    .from(leases)
    .where(eq(leases.name, rolloutLeaseName(rolloutId)))
    .get();
const runnerRow = (id: string) => h.db.raw.select().from(runners).where(eq(runners.id, id)).get();

it("a runner restarted after a crash takes its dead predecessor's lease at its first tick, without waiting for it to expire", async () => {
  const pid = await deadPid();
  const owner = `${hostname()}:${pid}:x`;
  const rolloutId = await leftBy(owner, pid);

  const first = await h.runner.tick();

  expect(first.leased).toEqual([rolloutId]);
  expect(first.reconciled).toHaveLength(1);
  expect(leaseOf(rolloutId)).toMatchObject({ owner: "runner-a", token: 5 });
  expect(runnerRow(owner)?.heartbeatAt).toBe(0); // marked gone: out of the live count
});

it("a container restarted with the same pid is a predecessor too: its runner id is not one of this process", async () => {
  const owner = `${hostname()}:${process.pid}:before-restart`;
  const rolloutId = await leftBy(owner, process.pid);

  expect((await h.runner.tick()).leased).toEqual([rolloutId]);
  expect(leaseOf(rolloutId)).toMatchObject({ owner: "runner-a", token: 5 });
});

it("a lease of a live process on this host, or of a runner on another host, is waited out", async () => {
  const livePid = sleeper().pid!;
  const alive = `${hostname()}:${livePid}:x`;
  const elsewhere = `another-host.example:${await deadPid()}:x`;
  const mine = await leftBy(alive, livePid);

  expect((await h.runner.tick()).leased).toEqual([]);
  expect(leaseOf(mine)).toMatchObject({ owner: alive, token: 4 });
  expect(runnerRow(alive)?.heartbeatAt).not.toBe(0);

  h.db.raw
    .update(leases)
    .set({ owner: elsewhere })
    .where(eq(leases.name, rolloutLeaseName(mine)))
    .run();
  h.clock.advance(1_000);
  expect((await h.runner.tick()).leased).toEqual([]);
  expect(leaseOf(mine)).toMatchObject({ owner: elsewhere, token: 4 });
});
