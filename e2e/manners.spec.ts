import { expect, test } from "@playwright/test";
import { signInAs, trpcData, trpcMutation } from "./fixtures";

/**
 * Manners: every page reads from phone width to 1920 px without sideways scrolling, controls are reached by
 * keyboard with a visible focus ring, and times are relative with the exact time in the viewer's own zone.
 */
const WIDTHS = [375, 768, 1280, 1920];
/** A fresh build each run: a version names exactly one digest for ever. */
const stamp = (Date.now() + 1).toString(16).padStart(16, "0");

test.describe("manners", () => {
  test("every page fits from phone width to 1920 px", async ({ browser }) => {
    const context = await browser.newContext();
    await signInAs(context.request, "admin");
    // A rollout of its own, so the rollout page has content to lay out; aborted at the end (later specs start in eu-west).
    const started = await trpcMutation(context.request, "rollouts.start", {
      serviceId: "api",
      artifact: { version: `8.0.0-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" },
      strategy: "parallel",
      regions: ["eu-west"],
    });
    expect(started.status(), await started.text()).toBe(200);
    const { rolloutId } = await trpcData<{ rolloutId: string }>(started);

    const page = await context.newPage();
    try {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        for (const path of [
          "/",
          "/rollouts",
          `/rollouts/${rolloutId}`,
          "/rollouts/new",
          "/approvals",
          "/regions/eu-west",
          "/audit",
          "/settings",
          "/admin",
          "/admin/tokens",
        ]) {
          await page.goto(path);
          await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
          // Charts size themselves to their box after the first paint: judge the settled page.
          await expect
            .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), {
              message: `${path} at ${width} px scrolls sideways`,
              timeout: 3_000,
            })
            .toBeLessThanOrEqual(0);
        }
      }
    } finally {
      const aborted = await trpcMutation(context.request, "rollouts.abort", { rolloutId, regionId: "eu-west" });
      expect(aborted.status(), await aborted.text()).toBe(200);
    }
  });

  test("the keyboard reaches the controls with a visible focus ring, and times are in the viewer's zone", async ({ browser }) => {
    const context = await browser.newContext({ timezoneId: "Asia/Tokyo", locale: "en-US" });
    await signInAs(context.request, "deployer");
    const page = await context.newPage();
    await page.goto("/rollouts");

    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeInViewport();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      if (await page.getByRole("link", { name: "Start a rollout" }).evaluate((el) => el === document.activeElement)) break;
    }
    const start = page.getByRole("link", { name: "Start a rollout" });
    await expect(start).toBeFocused();
    const ring = await start.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(ring, "focus outline of the focused control").not.toBe("none");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/rollouts\/new$/);

    await page.goto("/rollouts");
    const time = page.locator("main time").first();
    await expect(time).toHaveText(/ago|just now/);
    await expect(time).toHaveAttribute("title", /GMT\+9/);
  });
});
