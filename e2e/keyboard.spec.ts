import { expect, test, type Browser, type Page } from "@playwright/test";
import { closeSignedIn, contextAs, phaseOf, trpcData, trpcMutation } from "./fixtures";

/**
 * The keyboard alone: a reviewer and an SRE approve a gate from /approvals, then the SRE rolls the canary back
 * from the rollout page, with Tab and Enter only (no clicks, no element focused by the test). After each action
 * the focus lands on what the action said, never on the page's top; the stage change is read out politely.
 */

const build = () => {
  const stamp = (Date.now() + 400).toString(16).padStart(16, "0");
  return { version: `9.4.0-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" };
};

test.afterEach(async () => {
  await closeSignedIn();
});

/** Tab from where the focus is until the element with this test id has it, as a person would; fails after 120 stops. */
async function tabTo(page: Page, testId: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate((id) => document.activeElement?.getAttribute("data-testid") === id, testId)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${testId}`);
}

/** The focused element's outline: a visible ring where the keyboard is. */
const outlineOf = (page: Page) => page.evaluate(() => (document.activeElement ? getComputedStyle(document.activeElement).outlineStyle : "none"));

/** A reviewer (then an SRE) approves the gate from /approvals with the keyboard: the notice of the decision takes the focus. */
async function approveByKeyboard(browser: Browser, role: "reviewer" | "sre", rolloutId: string, regionId: string): Promise<void> {
  const page = await (await contextAs(browser, role)).newPage();
  await page.goto("/approvals");
  await tabTo(page, `approve-${rolloutId}-${regionId}`);
  expect(await outlineOf(page)).not.toBe("none");
  await page.keyboard.press("Enter");
  const notice = page.getByTestId("approval-notice");
  await expect(notice).toHaveText(new RegExp(`You approved ${regionId} as ${role === "sre" ? "SRE" : "reviewer"}`));
  await expect(notice).toBeFocused();
  // The reviewer's gate stays listed (it still needs an SRE), its Approve spent; the SRE's opens and leaves the list.
  if (role === "reviewer") await expect(page.getByTestId(`approve-${rolloutId}-${regionId}`)).toBeDisabled();
}

test("approve and roll back with the keyboard alone; the focus follows each action", async ({ browser }) => {
  test.setTimeout(180_000);
  const deployer = (await contextAs(browser, "deployer")).request;
  const started = await trpcMutation(deployer, "rollouts.start", { serviceId: "api", artifact: build(), strategy: "parallel", regions: ["eu-west"] });
  expect(started.status(), await started.text()).toBe(200);
  const { rolloutId } = await trpcData<{ rolloutId: string }>(started);
  await expect(async () => expect(await phaseOf(deployer, rolloutId, "eu-west")).toBe("awaiting_approval")).toPass({ timeout: 20_000 });

  await approveByKeyboard(browser, "reviewer", rolloutId, "eu-west");
  await approveByKeyboard(browser, "sre", rolloutId, "eu-west");
  await expect(async () => expect(await phaseOf(deployer, rolloutId, "eu-west")).toBe("canary")).toPass({ timeout: 20_000 });

  // The SRE rolls the canary back from the rollout page: Tab to Roll back, Enter, the dialog opens on Cancel,
  // Tab to the confirmation, Enter.
  const sre = await (await contextAs(browser, "sre")).newPage();
  await sre.goto(`/rollouts/${rolloutId}`);
  await expect(sre.getByTestId("live-status")).toHaveText("Live");
  await tabTo(sre, "control-rollback-eu-west");
  expect(await outlineOf(sre)).not.toBe("none");
  await sre.keyboard.press("Enter");
  const dialog = sre.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await sre.keyboard.press("Tab");
  await expect(dialog.getByTestId("confirm-action")).toBeFocused();
  await sre.keyboard.press("Enter");
  await expect(dialog).toBeHidden();

  // The focus is on the region's outcome line (not the page's top), and the change is announced politely.
  const outcome = sre.getByTestId("control-outcome-eu-west");
  await expect(outcome).toBeFocused();
  await expect(outcome).toHaveText(/eu-west rolling back/);
  await expect(sre.getByTestId("change-announcer")).toHaveText(/EU West: rolled back/, { timeout: 20_000 });
  await expect(sre.getByTestId("change-announcer")).toHaveAttribute("aria-live", "polite");
  expect(await phaseOf(deployer, rolloutId, "eu-west")).toBe("rolled_back");
});

test("a failed sign-in puts the focus on the message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Email" }).focus();
  await page.keyboard.type("nobody@example.invalid");
  await page.keyboard.press("Tab");
  await page.keyboard.type("not the password");
  await page.keyboard.press("Enter");
  const error = page.getByTestId("signin-error");
  await expect(error).toBeVisible();
  await expect(error).toBeFocused();
});

test("a new API token is copied with the keyboard, and Copied is announced", async ({ browser }) => {
  const context = await contextAs(browser, "admin");
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  await page.goto("/admin/tokens");
  await page.getByLabel("Name").focus();
  await page.keyboard.type(`keyboard-${Date.now()}`);
  await page.keyboard.press("Enter");
  const token = await page.getByTestId("new-token").textContent();
  expect(token).toBeTruthy();

  await tabTo(page, "copy-button");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("copy-outcome")).toHaveText("Copied");
  await expect(page.getByTestId("copy-outcome")).toHaveAttribute("aria-live", "polite");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token!.trim());
});
