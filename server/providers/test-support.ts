/**
 * Helpers for the providers' integration tests against the lab's real servers: free ports on 127.0.0.1 and a
 * temp dir per test file. Ports come from the kernel (bind to 0), so parallel test files never collide.
 */
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export function labTempDir(name: string): string {
  return mkdtempSync(path.join(tmpdir(), `flightdeck-${name}-`));
}
