import { expect, test } from "@playwright/test";
import { breachRolledBackInUsEast, clearFaultsAndQuarantines, closeSignedIn, contextAs } from "./fixtures";

/**
 * An incident where people meet it: a demo fault in us-east rolls a fresh build back; its rollout page lists the
 * incident as open, a viewer sees no Acknowledge, an sre acknowledges it (no ticket or page follows). The spec
 * clears the fault and lifts the quarantine afterwards, so the next spec starts nothing quarantined.
 */

test.afterEach(async ({ browser }) => {
  await clearFaultsAndQuarantines(browser, "e2e: end of the incidents spec");
  await closeSignedIn();
});

test("a region rolled back for a breach is an open incident on its rollout page; an sre acknowledges it, a viewer cannot", async ({ browser }) => {
  const { rolloutId } = await breachRolledBackInUsEast(browser, "9.9.0-inc");

  const viewer = await (await contextAs(browser, "viewer")).newPage();
  await viewer.goto(`/rollouts/${rolloutId}`);
  await expect(viewer.getByTestId("incident-us-east")).toContainText("open");
  await expect(viewer.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);

  const page = await (await contextAs(browser, "sre")).newPage();
  await page.goto(`/rollouts/${rolloutId}`);
  await page.getByTestId("incident-us-east").getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.getByTestId("incidents-panel").getByRole("status")).toContainText("acknowledged the incident in us-east: no ticket or page follows.");
  await expect(page.getByTestId("incident-us-east")).toContainText("acknowledged");
  await expect(page.getByTestId("incident-us-east").getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
});
