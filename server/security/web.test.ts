/**
 * Attacks on the web edge (issue 11, "The web"), each written as the attack: an open redirect after sign-in, a
 * spoofed X-Forwarded-For to slip past the webhook rate limit, reading the runner's host and pid from
 * /api/health, scraping /api/metrics without its token, a session cookie sent over plain http.
 */
import NextAuth from "next-auth";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { runners } from "@/db/schema";
import { authOptions } from "@/server/auth/options";
import { safeReturnPath, signInPath } from "@/server/auth/guard";
import { startRouteServer } from "@/server/cli/http-server.fixtures";
import { setConfig } from "@/server/config";
import { freshProcessDatabase, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { recordPeerAddresses } from "./client-address";
import { newNonce, pageSecurityHeaders } from "./headers";

let f: ProcessFixture;
beforeEach(() => {
  f = freshProcessDatabase();
});
afterEach(() => f.cleanup());

const useConfig = (change: (config: ProcessFixture["config"]) => void) => {
  change(f.config);
  setConfig({ config: f.config, file: "test.yaml" });
};

describe("an open redirect after sign-in", () => {
  it.each(["/%09/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/%5C%5Cevil.example"])(
    "%j is not a return path: sign-in comes back to /",
    (target) => {
      expect(safeReturnPath(target)).toBeNull();
      expect(signInPath({ returnTo: target })).toBe("/signin");
    },
  );
});

describe("a spoofed X-Forwarded-For against the webhook rate limit", () => {
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  beforeAll(async () => {
    recordPeerAddresses(); // as instrumentation.ts does in the real server
    server = await startRouteServer();
  });
  afterAll(() => server.close());

  /** An unsigned delivery over a real socket from 127.0.0.1, claiming to come from `forwardedFor`. */
  const flood = (forwardedFor: string) =>
    fetch(`${server.url}/api/webhooks/ci`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: "{}",
    }).then(async (res) => ({
      status: res.status,
      error: ((await res.json()) as { error?: string }).error ?? "",
    }));

  it("does not give a fresh bucket per invented address when the connection is not a trusted proxy", async () => {
    useConfig((c) => (c.trustedProxies = []));
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await flood(`198.51.100.${i + 1}`));
    expect(answers.slice(0, 30).every((a) => a.status !== 429)).toBe(true);
    expect(answers[30].status).toBe(429);
    expect(answers[30].error).toContain("Too many webhook deliveries from 127.0.0.1");
  });

  it("believes X-Forwarded-For from a proxy listed in trustedProxies: each client behind it has its own bucket", async () => {
    useConfig((c) => (c.trustedProxies = ["127.0.0.1"]));
    for (let i = 0; i < 31; i++) expect((await flood(`203.0.113.7, 192.0.2.${i + 1}`)).status).not.toBe(429);
    // Only the rightmost hop (what the proxy saw) counts: the client-written 203.0.113.7 on the left is ignored.
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await flood(`192.0.2.${i + 1}, 198.18.0.9`));
    expect(answers[30]).toMatchObject({ status: 429, error: expect.stringContaining("from 198.18.0.9") });
  });
});

describe("reading the engine runner's host and pid from /api/health", () => {
  it("answers anyone only ok", async () => {
    f.db.raw
      .insert(runners)
      .values({ id: "r_1", pid: 4242, host: "runner-host-1", startedAt: Date.now() - 60_000, heartbeatAt: Date.now() - 1_000 })
      .run();
    const res = await health(new Request("http://localhost/api/health"));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: "ok" });
    expect(text).not.toMatch(/runner-host-1|4242|r_1/);
  });
});

describe("scraping /api/metrics without the configured token", () => {
  it("is refused with 401", async () => {
    process.env.FD_WEB_TEST_METRICS_TOKEN = "scrape-secret-0123456789";
    useConfig((c) => (c.observability.metricsBearerTokenEnv = "FD_WEB_TEST_METRICS_TOKEN"));
    expect((await metrics(new Request("http://localhost/api/metrics"))).status).toBe(401);
    expect((await metrics(new Request("http://localhost/api/metrics", { headers: { authorization: "Bearer guess" } }))).status).toBe(401);
    delete process.env.FD_WEB_TEST_METRICS_TOKEN;
  });
});

describe("a session cookie over plain http when the public URL is https", () => {
  const saved = process.env.NEXTAUTH_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.NEXTAUTH_URL;
    else process.env.NEXTAUTH_URL = saved;
  });

  /** next-auth's csrf endpoint with the real authOptions (its pages-router form: no Next request scope needed). */
  async function csrfCookie(): Promise<string> {
    const headers = new Map<string, unknown>();
    const res = {
      status: () => res,
      getHeader: (k: string) => headers.get(k.toLowerCase()),
      setHeader: (k: string, v: unknown) => headers.set(k.toLowerCase(), v),
      send: () => res,
      json: () => res,
      end: () => res,
    };
    const req = { method: "GET", query: { nextauth: ["csrf"] }, headers: { host: "flightdeck.example.com" }, cookies: {}, body: {} };
    await (NextAuth as unknown as (req: unknown, res: unknown, options: unknown) => Promise<void>)(req, res, authOptions);
    const cookies = [headers.get("set-cookie")].flat().map(String);
    const csrf = cookies.find((c) => c.includes("csrf-token="));
    if (!csrf) throw new Error(`next-auth set no csrf cookie: ${cookies.join(" | ")}`);
    return csrf;
  }

  it("is Secure when the config's baseUrl is https, even with NEXTAUTH_URL unset", async () => {
    delete process.env.NEXTAUTH_URL;
    useConfig((c) => (c.baseUrl = "https://flightdeck.example.com"));
    const cookie = await csrfCookie();
    expect(cookie).toMatch(/^__Host-next-auth\.csrf-token=/);
    expect(cookie).toMatch(/; Secure/);
  });

  it("stays usable on http://localhost (the demo): not Secure", async () => {
    process.env.NEXTAUTH_URL = "http://localhost:3000";
    useConfig((c) => (c.baseUrl = "http://localhost:3000"));
    const cookie = await csrfCookie();
    expect(cookie).toMatch(/^next-auth\.csrf-token=/);
    expect(cookie).not.toMatch(/; Secure/);
  });
});

describe("an injected inline script on a page", () => {
  it("does not run: the page's CSP allows scripts only with this request's nonce, and nobody may frame the page", () => {
    const nonce = newNonce();
    const csp = pageSecurityHeaders(nonce, { https: false })["Content-Security-Policy"];
    const scriptSrc = csp.split("; ").find((d) => d.startsWith("script-src "))!;
    expect(scriptSrc).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(newNonce()).not.toBe(nonce);
  });

  it("adds HSTS and upgrade-insecure-requests only when the public URL is https", () => {
    expect(pageSecurityHeaders("n", { https: false })).not.toHaveProperty("Strict-Transport-Security");
    const https = pageSecurityHeaders("n", { https: true });
    expect(https["Strict-Transport-Security"]).toBe("max-age=31536000");
    expect(https["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
  });
});
