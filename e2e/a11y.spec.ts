import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signInAs, trpcData, trpcMutation } from "./fixtures";

/**
 * For everyone: axe-core (WCAG 2 A and AA) finds no serious or critical violation on any page, in the light and
 * the dark theme (the dashboard follows the system's colour scheme). Signed in as an admin, who may open every
 * page; the sign-in page and a 404 signed out and in.
 */
/** A fresh build per theme and run: a version names exactly one digest for ever. */
const stampFor = (colorScheme: string) => (Date.now() + (colorScheme === "light" ? 300 : 301)).toString(16).padStart(16, "0");

/** The serious and critical violations on the page, one line each with the nodes they were found on. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ")}`).join("\n")}`,
    );
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`no serious or critical axe violation on any page in the ${colorScheme} theme`, async ({ browser }) => {
    test.setTimeout(240_000);
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();

    // Signed out: the sign-in page and the app-wide 404.
    for (const path of ["/signin", "/no-such-page"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      expect.soft(await seriousViolations(page), `${path} (${colorScheme}, signed out)`).toEqual([]);
    }

    await signInAs(context.request, "admin");
    // A rollout of its own (apac-se is the a11y spec's region), so the rollout and region pages have content.
    const stamp = stampFor(colorScheme);
    const started = await trpcMutation(context.request, "rollouts.start", {
      serviceId: "api",
      artifact: { version: `8.1.0-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" },
      strategy: "parallel",
      regions: ["apac-se"],
    });
    expect(started.status(), await started.text()).toBe(200);
    const { rolloutId } = await trpcData<{ rolloutId: string }>(started);

    for (const path of [
      "/",
      "/rollouts",
      `/rollouts/${rolloutId}`,
      "/rollouts/new",
      "/regions/apac-se",
      "/approvals",
      "/audit",
      "/backtest",
      "/settings",
      "/admin",
      "/admin/tokens",
      "/docs",
      "/docs/debugging-guide",
      "/no-such-page",
      "/rollouts/00000000-0000-4000-8000-000000000000",
      "/regions/nowhere",
    ]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      // Charts and live parts settle after the first paint: judge the settled page.
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(colorScheme === "dark");
      expect.soft(await seriousViolations(page), `${path} (${colorScheme})`).toEqual([]);
    }

    // The rollout is the spec's own: stop it so the region is free for the next run.
    await trpcMutation(context.request, "rollouts.abort", { rolloutId, regionId: "apac-se" });
    await context.close();
  });
}
