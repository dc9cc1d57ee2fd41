import { expect, test } from "@playwright/test";
import { breachRolledBackInUsEast, clearFaultsAndQuarantines, closeSignedIn, contextAs } from "./fixtures";

/**
 * Quarantine where people meet it: a release the engine rolled back for a breach (a demo fault in us-east) is
 * marked on the start form's artifact list with why and how to lift it, and the plan names the refusal. The spec
 * lifts every quarantine and clears the fault afterwards, so the next spec starts nothing quarantined.
 */

test.afterEach(async ({ browser }) => {
  await clearFaultsAndQuarantines(browser, "e2e: end of the quarantine spec");
  await closeSignedIn();
});

test("a release rolled back for a breach is quarantined: the start form's artifact list says why and how to lift it", async ({ browser }) => {
  const { rolloutId, version } = await breachRolledBackInUsEast(browser, "9.9.0-q");

  const page = await (await contextAs(browser, "deployer")).newPage();
  await page.goto("/rollouts/new");
  const select = page.getByTestId("new-rollout-artifact");
  const option = select.locator("option", { hasText: version });
  await expect(option).toContainText("quarantined");
  await select.selectOption((await option.getAttribute("value"))!);
  await expect(page.getByTestId("artifact-quarantine")).toContainText(`api ${version}`);
  await expect(page.getByTestId("artifact-quarantine")).toContainText(`is quarantined: rollout ${rolloutId} rolled it back in us-east after`);
  await expect(page.getByTestId("artifact-quarantine")).toContainText("flightdeck quarantine lift");
  await expect(page.getByTestId("lift-quarantine")).toHaveCount(0);

  const rollout = await (await contextAs(browser, "viewer")).newPage();
  await rollout.goto(`/rollouts/${rolloutId}`);
  await expect(rollout.getByTestId("quarantine-notice")).toContainText("This release is quarantined");
  await expect(rollout.getByTestId("lift-quarantine")).toHaveCount(0);

  // An sre is offered the lift on the start form too; they lift it from the rollout page with a reason, the page
  // says so, and the start form lists the release plainly.
  const sreContext = await contextAs(browser, "sre");
  const sreForm = await sreContext.newPage();
  await sreForm.goto("/rollouts/new");
  await sreForm.getByTestId("new-rollout-artifact").selectOption((await option.getAttribute("value"))!);
  await expect(sreForm.getByTestId("artifact-quarantine").getByTestId("lift-quarantine")).toBeVisible();
  const srePage = await sreContext.newPage();
  await srePage.goto(`/rollouts/${rolloutId}`);
  await srePage.getByTestId("lift-quarantine").click();
  await expect(srePage.getByTestId("confirm-lift-quarantine")).toBeDisabled();
  await srePage.getByTestId("lift-quarantine-reason").fill("e2e: the fault was injected, not the release");
  await srePage.getByTestId("confirm-lift-quarantine").click();
  await expect(srePage.getByTestId("quarantine-lifted")).toContainText(`Quarantine lifted: api ${version}`);
  await expect(srePage.getByTestId("quarantine-lifted")).toContainText('"e2e: the fault was injected, not the release"');
  await expect(srePage.getByTestId("quarantine-notice")).toHaveCount(0);

  await page.reload();
  const again = page.getByTestId("new-rollout-artifact").locator("option", { hasText: version });
  await expect(again).toHaveCount(1);
  await expect(again).not.toContainText("quarantined");
});
