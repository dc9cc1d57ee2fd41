/** Helpers for the lab's tests: a temp lab dir and free ports on 127.0.0.1. */
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { getOnce } from "./http-get";

export function tempLabDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "flightdeck-lab-"));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
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
