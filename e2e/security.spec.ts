/**
 * The web edge as an attacker and a browser see it: sign-in through an open-redirect URL stays on the site, every
 * page carries a nonce CSP (no unsafe-inline scripts) and the other security headers, and the dashboard (Next's
 * scripts, next-auth, the tRPC live feed over SSE) runs under that policy without a single violation.
 */
import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "./fixtures";

const PAGES = ["/", "/rollouts", "/rollouts/new", "/approvals", "/audit", "/settings", "/admin", "/admin/tokens", "/regions/us-east"];

/** Collects CSP violations: the DOM's securitypolicyviolation events and Chromium's console reports. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(msg.text())) violations.push(`console: ${msg.text()}`);
  });
  await page.exposeFunction("__reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __reportCspViolation: (t: string) => void }).__reportCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || "inline"} on ${location.pathname}`,
      );
    });
  });
  return violations;
}

test.describe("sign-in through an open-redirect URL", () => {
  for (const target of ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example"]) {
    test(`callbackUrl=${target} lands on this site's overview`, async ({ page, baseURL }) => {
      const leftTheSite: string[] = [];
      page.on("request", (req) => {
        if (new URL(req.url()).hostname.includes("evil.example")) leftTheSite.push(req.url());
      });
      await page.goto(`/signin?callbackUrl=${target}`);
      await page.getByTestId("demo-signin-deployer").click();

      await expect(page).toHaveURL((url) => url.origin === new URL(baseURL!).origin && url.pathname === "/");
      await expect(page.getByTestId("user-menu")).toContainText("Dana");
      expect(leftTheSite).toEqual([]);
    });
  }
});

test.describe("security headers", () => {
  test("a page carries a fresh nonce CSP without unsafe-inline scripts, frame-ancestors none, nosniff and a referrer policy", async ({ page }) => {
    const first = await page.goto("/signin");
    const second = await page.goto("/signin");
    const csp = first!.headers()["content-security-policy"];
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src"))!;
    expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(scriptSrc).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(second!.headers()["content-security-policy"]).not.toBe(csp);
    expect(first!.headers()["x-content-type-options"]).toBe("nosniff");
    expect(first!.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    // The server is plain http here: no HSTS (a browser would ignore it anyway).
    expect(first!.headers()["strict-transport-security"]).toBeUndefined();
  });

  test("an API answer carries a CSP that loads nothing and cannot be framed", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers()["strict-transport-security"]).toBeUndefined();
    // Through a TLS proxy (X-Forwarded-Proto: https) the answer carries HSTS too.
    const viaTls = await request.get("/api/health", { headers: { "x-forwarded-proto": "https" } });
    expect(viaTls.headers()["strict-transport-security"]).toBe("max-age=31536000");
  });
});

test.describe("the dashboard under its CSP", () => {
  test("the sign-in page signs in with no CSP violation", async ({ page }) => {
    const violations = await watchCsp(page);
    await page.goto("/signin");
    await page.getByTestId("demo-signin-admin").click();
    await expect(page.getByTestId("user-menu")).toContainText("Ada");
    expect(violations).toEqual([]);
  });

  test("the main pages run their scripts and the live feed with no CSP violation", async ({ page }) => {
    const violations = await watchCsp(page);
    await signInAs(page.request, "admin");
    for (const path of PAGES) {
      const live = path === "/" ? page.waitForResponse((res) => res.url().includes("/api/trpc/regions.live")) : null;
      await page.goto(path);
      // Next's runtime ran (window.next is set by its scripts): the nonce reached them.
      await page.waitForFunction(() => (window as unknown as { next?: unknown }).next !== undefined);
      // The overview's live feed (tRPC over SSE) connected.
      if (live) expect((await live).status()).toBe(200);
    }
    await page.goto("/");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    expect(violations).toEqual([]);
  });
});
