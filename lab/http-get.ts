/**
 * One GET on its own connection (no keep-alive): each request is balanced afresh, and a load balancer that
 * reloads (nginx retires its old workers) never resets a reused connection under us.
 */
import http from "node:http";

export type GetResult = { status: number; colour: string | null };

export function getOnce(url: string, timeoutMs = 5000): Promise<GetResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, colour: (res.headers["x-colour"] as string | undefined) ?? null }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}
