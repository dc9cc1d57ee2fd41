/** Helpers for the lab's tests: a temp lab dir and free ports on 127.0.0.1. */
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { getOnce } from "./http-get";

export function tempLabDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "flightdeck-lab-"));
}

/**
 * Ports handed to servers a test starts come from 21000–31999, below the kernel's ephemeral range (32768 up), so
 * no outgoing connection takes one between the check and the server's bind; and each Vitest worker has its own
 * band of it (VITEST_POOL_ID), so two test files running at once never pick the same one.
 */
const PORT_FLOOR = 21_000;
const PORT_BAND = 2_750;
let nextInBand = Math.floor(Math.random() * PORT_BAND);

export async function freePort(): Promise<number> {
  const worker = (Number(process.env.VITEST_POOL_ID) || 1) - 1;
  const band = PORT_FLOOR + (worker % 4) * PORT_BAND;
  for (let tries = 0; tries < PORT_BAND; tries++) {
    const port = band + (nextInBand++ % PORT_BAND);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${band}–${band + PORT_BAND - 1} on 127.0.0.1`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** GET through a load balancer `count` times, 10 at a time: how many answers each colour gave. */
export async function countColours(url: string, count: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  const one = async () => {
    const res = await getOnce(url);
    const colour = res.colour ?? `status ${res.status}`;
    seen[colour] = (seen[colour] ?? 0) + 1;
  };
  for (let done = 0; done < count; done += 10) await Promise.all(Array.from({ length: Math.min(10, count - done) }, one));
  return seen;
}

/** Whether nothing listens on these ports of 127.0.0.1 (a bind succeeds). */
export async function portsFree(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}
