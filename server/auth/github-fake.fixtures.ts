/**
 * A stand-in for api.github.com on 127.0.0.1, for the allow-list tests: answers /user/emails,
 * /user/memberships/orgs and /user/teams for the tokens it knows (401 for others), paged two items at a time
 * with GitHub's Link header, and records every request.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeGitHubUser = {
  emails?: Array<{ email: string; verified: boolean; primary?: boolean }>;
  orgs?: Array<{ login: string; state?: "active" | "pending" }>;
  teams?: Array<{ org: string; slug: string }>;
};

export type FakeGitHub = { url: string; requests: Array<{ path: string; authorization: string | undefined }>; close: () => Promise<void> };

const PAGE_SIZE = 2;

export async function startFakeGitHub(users: Record<string, FakeGitHubUser>, opts: { status?: number } = {}): Promise<FakeGitHub> {
  const requests: FakeGitHub["requests"] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push({ path: url.pathname + url.search, authorization: req.headers.authorization });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const user = token ? users[token] : undefined;
    if (opts.status) return void res.writeHead(opts.status, { "content-type": "application/json" }).end(JSON.stringify({ message: "as configured" }));
    if (!user) return void res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ message: "Bad credentials" }));
    let items: unknown[];
    if (url.pathname === "/user/emails") items = user.emails ?? [];
    else if (url.pathname === "/user/memberships/orgs")
      items = (user.orgs ?? []).map((o) => ({ state: o.state ?? "active", organization: { login: o.login } }));
    else if (url.pathname === "/user/teams") items = (user.teams ?? []).map((t) => ({ slug: t.slug, organization: { login: t.org } }));
    else return void res.writeHead(404).end();
    const page = Number(url.searchParams.get("page") ?? "1");
    const slice = items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (page * PAGE_SIZE < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set("page", String(page + 1));
      headers.link = `<http://127.0.0.1:${(server.address() as AddressInfo).port}${next.pathname}${next.search}>; rel="next"`;
    }
    res.writeHead(200, headers).end(JSON.stringify(slice));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
