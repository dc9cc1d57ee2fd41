import { expect, test } from "@playwright/test";
import { signInAs, trpcData, trpcErrorMessage, trpcMutation } from "./fixtures";

/** A fresh build each run: a version names exactly one digest for ever. */
const stamp = Date.now().toString(16).padStart(16, "0");
const DIGEST = `sha256:${stamp.repeat(4)}`;

test.describe("the rollout page", () => {
  test("an SRE watches a region live, rolls it back with one click, and a viewer gets no controls", async ({ browser }) => {
    const deployer = await browser.newContext();
    await signInAs(deployer.request, "deployer");
    const started = await trpcMutation(deployer.request, "rollouts.start", {
      serviceId: "api",
      artifact: { version: `7.0.0-e2e.${stamp}`, digest: DIGEST, commitSha: "0123abc" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    expect(started.status(), await started.text()).toBe(200);
    const { rolloutId } = await trpcData<{ rolloutId: string }>(started);

    for (const role of ["reviewer", "sre"] as const) {
      const reviewer = await browser.newContext();
      await signInAs(reviewer.request, role);
      // The engine moves the region to its gate on its next tick: until then an approval is refused.
      await expect(async () => {
        const approved = await trpcMutation(reviewer.request, "approvals.approve", { rolloutId, regionId: "us-east" });
        expect(approved.status(), await approved.text()).toBe(200);
      }).toPass({ timeout: 15_000 });
      await reviewer.close();
    }

    const sre = await browser.newContext();
    await signInAs(sre.request, "sre");
    const page = await sre.newPage();
    await page.goto(`/rollouts/${rolloutId}`);
    await expect(page.getByTestId("correlation-id")).toHaveText(/^[0-9a-f-]{36}$/);
    await expect(page.getByRole("link", { name: "0123abc" })).toHaveAttribute("href", "https://github.com/flightdeck-demo/api/commit/0123abc");
    // The region reaches its canary while the page is open: live, no reload.
    await expect(page.getByTestId("phase-us-east")).toContainText("Canary", { timeout: 30_000 });
    await expect(page.getByText("Approved", { exact: true }).first()).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/rollout-page.png", fullPage: true });

    await page.getByTestId("control-rollback-us-east").click();
    await expect(page.getByRole("dialog")).toContainText("Roll us-east back: 100 % of traffic returns to blue.");
    await page.getByTestId("confirm-action").click();
    await expect(page.getByTestId("phase-us-east")).toHaveText("Aborted", { timeout: 20_000 });
    await expect(page.getByTestId("cause-us-east")).toContainText("100 % of traffic is back on blue");
    await expect(page.getByText(/aborted by user:demo-sre/).first()).toBeVisible();

    const viewer = await browser.newContext();
    await signInAs(viewer.request, "viewer");
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(`/rollouts/${rolloutId}`);
    await expect(viewerPage.getByTestId("phase-us-east")).toHaveText("Aborted");
    await expect(viewerPage.locator("[data-testid^=control-]")).toHaveCount(0);
    const refused = await trpcMutation(viewer.request, "rollouts.retry", { rolloutId, regionId: "us-east" });
    expect(refused.status()).toBe(403);
    expect(await trpcErrorMessage(refused)).toContain("does not allow rollout.control");
  });
});
