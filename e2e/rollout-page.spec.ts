import { expect, test, type Browser, type Page } from "@playwright/test";
import { signInAs, trpcData, trpcErrorMessage, trpcMutation, type DemoRole } from "./fixtures";

/** A fresh build each run: a version names exactly one digest for ever. */
const stamp = Date.now().toString(16).padStart(16, "0");

async function pageAs(browser: Browser, role: DemoRole): Promise<Page> {
  const context = await browser.newContext();
  await signInAs(context.request, role);
  return context.newPage();
}

/** Presses Approve on the gate on /approvals; the gate appears once the engine has moved the region to it. */
async function approveOnPage(page: Page, rolloutId: string, regionId: string): Promise<void> {
  const approve = page.getByTestId(`approve-${rolloutId}-${regionId}`);
  await expect(async () => {
    await page.goto("/approvals");
    await expect(approve).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await approve.click();
}

/** Sums the layout shifts the page has seen since it loaded (Chromium's Layout Instability API). */
function layoutShiftOf(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) total += (entry as unknown as { value: number }).value;
        }).observe({ type: "layout-shift", buffered: true });
        setTimeout(() => resolve(total), 100);
      }),
  );
}

test.describe("the dashboard", () => {
  test("a deployer starts from the form, reviewers approve, the canary advances live, one click rolls it back, a viewer gets no controls", async ({
    browser,
  }) => {
    // The overview is open all along: it must follow the rollout without a reload and without moving its layout.
    const overview = await pageAs(browser, "viewer");
    await overview.goto("/");
    await expect(overview.getByTestId("split-us-east")).toHaveText("0 % on green, 100 % on blue");

    const deployer = await pageAs(browser, "deployer");
    await deployer.goto("/rollouts/new");
    const artifact = deployer.getByTestId("new-rollout-artifact");
    const release = await artifact.locator("option", { hasText: "1.4.2" }).getAttribute("value");
    await artifact.selectOption(release!);
    await deployer.getByTestId("new-rollout-strategy").selectOption("sequential");
    for (const region of ["eu-west", "apac-se"]) await deployer.getByTestId(`new-rollout-region-${region}`).uncheck();
    // The plan comes from the engine's planner: stages of 6, 6, 30, 30 and 30 s, plus the 1 s deploy.
    await expect(deployer.getByTestId("plan-preview")).toContainText("US East");
    await expect(deployer.getByTestId("plan-total-duration")).toHaveText("2 min");
    await deployer.getByTestId("start-rollout").click();
    await expect(deployer.getByRole("dialog")).toContainText("1.4.2");
    await deployer.getByTestId("confirm-start").click();
    await deployer.waitForURL((url) => /^\/rollouts\/[^/]+$/.test(url.pathname) && url.pathname !== "/rollouts/new");
    const rolloutId = deployer.url().split("/").pop()!;
    await expect(deployer.getByTestId("phase-us-east")).toHaveText("Awaiting approval", { timeout: 20_000 });

    const reviewer = await pageAs(browser, "reviewer");
    await approveOnPage(reviewer, rolloutId, "us-east");
    await expect(reviewer.getByTestId(`gate-${rolloutId}-us-east`)).toContainText("approved by");
    const sre = await pageAs(browser, "sre");
    await approveOnPage(sre, rolloutId, "us-east");

    // The deployer's page has not been reloaded since the start: the stages arrive live.
    await expect(deployer.getByTestId("phase-us-east")).toContainText("Canary 10 %", { timeout: 30_000 });
    await expect(deployer.getByTestId("phase-us-east")).toContainText("Canary 25 %", { timeout: 30_000 });
    await expect(overview.getByTestId("split-us-east")).not.toHaveText("0 % on green, 100 % on blue");
    await deployer.screenshot({ path: "test-results/screenshots/rollout-page.png", fullPage: true });
    await overview.screenshot({ path: "test-results/screenshots/overview.png", fullPage: true });

    await sre.goto(`/rollouts/${rolloutId}`);
    await expect(sre.getByText("Approved", { exact: true }).first()).toBeVisible();
    await sre.getByTestId("control-rollback-us-east").click();
    await expect(sre.getByRole("dialog")).toContainText("returns to blue, which then serves 100 % of traffic");
    await sre.getByTestId("confirm-action").click();
    await expect(sre.getByTestId("phase-us-east")).toHaveText("Rolled back", { timeout: 20_000 });
    await expect(sre.getByTestId("cause-us-east")).toContainText("rolled back by Sam (manual)");
    await expect(sre.getByTestId("cause-us-east")).toContainText("100 % of traffic is back on blue");
    await expect(overview.getByTestId("split-us-east")).toHaveText("0 % on green, 100 % on blue");
    expect(await layoutShiftOf(overview), "layout shift of the overview while live data arrived").toBeLessThan(0.01);

    const viewer = await pageAs(browser, "viewer");
    await viewer.goto(`/rollouts/${rolloutId}`);
    await expect(viewer.getByTestId("phase-us-east")).toHaveText("Rolled back");
    await expect(viewer.locator("[data-testid^=control-]")).toHaveCount(0);
    const refused = await trpcMutation(viewer.request, "rollouts.retry", { rolloutId, regionId: "us-east" });
    expect(refused.status()).toBe(403);
    expect(await trpcErrorMessage(refused)).toContain("does not allow rollout.control");
  });

  test("the initiator cannot approve their own rollout, and an injected fault rolls the region back with its cause", async ({ browser }) => {
    const sre = await pageAs(browser, "sre");
    // The fault drill on the region page, filled with the spec's example: error rate 1.2 %, p95 420 ms at 25 %.
    await sre.goto("/regions/apac-se");
    await expect(sre.getByTestId("fault-stage")).toHaveValue("25");
    await expect(sre.getByTestId("fault-error-rate")).toHaveValue("1.2");
    await expect(sre.getByTestId("fault-p95")).toHaveValue("420");
    await sre.getByTestId("inject-fault").click();
    await expect(sre.getByTestId("injected-faults")).toContainText("At 25 %: error rate 1.2 %, p95 420 ms");
    const started = await trpcMutation(sre.request, "rollouts.start", {
      serviceId: "api",
      artifact: { version: `7.0.0-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" },
      strategy: "parallel",
      regions: ["apac-se"],
    });
    expect(started.status(), await started.text()).toBe(200);
    const { rolloutId } = await trpcData<{ rolloutId: string }>(started);

    // The initiator reads why before pressing anything, and Approve is disabled; the server refuses it anyway.
    const gate = sre.getByTestId(`gate-${rolloutId}-apac-se`);
    await expect(async () => {
      await sre.goto("/approvals");
      await expect(gate).toContainText("You started this rollout, so someone else must approve it.", { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    await expect(gate.getByTestId(`approve-${rolloutId}-apac-se`)).toBeDisabled();
    const refused = await trpcMutation(sre.request, "approvals.approve", { rolloutId, regionId: "apac-se" });
    expect(refused.status()).toBe(403);
    expect(await trpcErrorMessage(refused)).toBe("You started this rollout, so someone else must approve it.");

    for (const role of ["reviewer", "admin"] as const) {
      const other = await browser.newContext();
      await signInAs(other.request, role);
      const approved = await trpcMutation(other.request, "approvals.approve", { rolloutId, regionId: "apac-se", ...(role === "admin" ? { as: "sre" } : {}) });
      expect(approved.status(), await approved.text()).toBe(200);
      await other.close();
    }

    await sre.goto(`/rollouts/${rolloutId}`);
    await expect(sre.getByRole("link", { name: "0123abc" })).toHaveAttribute("href", "https://github.com/flightdeck-demo/api/commit/0123abc");
    await expect(sre.getByTestId("correlation-id")).toHaveText(/^[0-9a-f-]{36}$/);
    // The fault breaches only the error-rate limit of the 25 % stage (0.8 %); 420 ms is inside its 450 ms.
    await expect(sre.getByTestId("phase-apac-se")).toHaveText("Rolled back", { timeout: 40_000 });
    const cause = sre.getByTestId("cause-apac-se");
    await expect(cause).toContainText("error rate 1.2 % over the 0.8 % limit");
    await expect(cause).not.toContainText("p95");
    await expect(sre.getByTestId("rollout-status")).toHaveText("failed");

    // The incident card was written with the rollback; its webhook is down, so the page shows the failed
    // delivery with the error (and never the webhook's secret path), and the card itself in a preview.
    const incident = sre.locator("li[data-testid^=notification-]").filter({ hasText: "#incidents-deployments" }).filter({ hasText: "apac-se rolled back" });
    await expect(incident).toContainText(/Retrying|Failed/, { timeout: 20_000 });
    await expect(incident).toContainText("ECONNREFUSED");
    await incident.getByText("Preview").click();
    await expect(incident).toContainText("error rate");
    await expect(sre.locator("body")).not.toContainText("e2e-webhook-secret");

    // "What to do" beside the cause opens the debugging guide at the section for an error-rate breach.
    await sre.getByTestId("runbook-apac-se").click();
    await sre.waitForURL((url) => url.pathname === "/docs/debugging-guide" && url.hash === "#error-rate-breach");
    await expect(sre.getByRole("heading", { name: "Error-rate breach" })).toBeInViewport();

    await sre.goto("/regions/apac-se");
    await sre.getByTestId("clear-faults").click();
    await expect(sre.getByText("No fault injected: releases here behave.")).toBeVisible();
  });
});
