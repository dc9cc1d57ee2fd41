/**
 * Two tiny HTTP servers standing for the blue and green colours behind a real load balancer in tests: each
 * answers every path with its colour, so a test can count where the load balancer sends requests.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Colour } from "./types";

export type ColourBackends = { ports: Record<Colour, number>; close(): Promise<void> };

export async function startColourBackends(): Promise<ColourBackends> {
  const servers = await Promise.all(
    (["blue", "green"] as const).map(
      (colour) =>
        new Promise<http.Server>((resolve) => {
          const server = http.createServer((_req, res) => res.end(colour));
          server.keepAliveTimeout = 100;
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const port = (s: http.Server) => (s.address() as AddressInfo).port;
  return {
    ports: { blue: port(servers[0]), green: port(servers[1]) },
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

/** How many of `count` requests through the load balancer each colour answered. */
export async function countColours(url: string, count: number): Promise<Record<Colour, number>> {
  const seen = { blue: 0, green: 0 };
  for (let i = 0; i < count; i++) {
    const body = await (await fetch(url, { headers: { connection: "close" } })).text();
    if (body === "blue" || body === "green") seen[body] += 1;
  }
  return seen;
}

/** Poll until `check` holds or `timeoutMs` passes; returns the last value seen. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
