import { expect, test, type Browser, type Page } from "@playwright/test";
import { closeSignedIn, contextAs, trpcMutation, type DemoRole } from "./fixtures";

/**
 * The stop-all from the overview: an SRE declares it (a reason and FREEZE typed in full), every signed-in person
 * sees the banner and when it ends, a deployer's start from the form is refused saying which freeze and until
 * when, and the SRE lifts it. The spec lifts it in any case, so the next spec finds nothing frozen.
 */

test.afterEach(async ({ browser }) => {
  const sre = await contextAs(browser, "sre");
  await trpcMutation(sre.request, "freeze.lift", undefined);
  await closeSignedIn();
});

const pageAs = async (browser: Browser, role: DemoRole): Promise<Page> => (await contextAs(browser, role)).newPage();

test.describe("freeze", () => {
  test("an SRE stops all rollouts from the overview: the banner says until when, a start is refused saying why, the lift ends it", async ({ browser }) => {
    const sre = await pageAs(browser, "sre");
    await sre.goto("/");
    await expect(sre.getByTestId("freeze-banner")).toHaveCount(0);
    await sre.getByTestId("declare-freeze").click();
    await sre.getByTestId("freeze-reason").fill("incident INC-7: checkout errors");
    await expect(sre.getByTestId("confirm-freeze")).toBeDisabled();
    await sre.getByTestId("freeze-confirm-text").fill("FREEZE");
    await sre.getByTestId("confirm-freeze").click();
    await expect(sre.getByTestId("freeze-banner")).toContainText("Stop-all: every rollout holds before its next step; none starts.");
    await expect(sre.getByTestId("freeze-until")).toHaveText("Until someone lifts it.");

    // A deployer sees the banner, no switch, and a start from the form is refused with the freeze's words.
    const deployer = await pageAs(browser, "deployer");
    await deployer.goto("/");
    await expect(deployer.getByTestId("freeze-banner")).toContainText("incident INC-7: checkout errors (every environment).");
    await expect(deployer.getByTestId("declare-freeze")).toHaveCount(0);
    await deployer.goto("/rollouts/new");
    await expect(deployer.getByTestId("start-freeze-note")).toContainText("Only an sre or admin may start a rollout during a freeze");
    const artifact = deployer.getByTestId("new-rollout-artifact");
    await artifact.selectOption((await artifact.locator("option", { hasText: "1.4.2" }).getAttribute("value"))!);
    await deployer.getByTestId("new-rollout-strategy").selectOption("sequential");
    for (const region of ["eu-west", "apac-se"]) await deployer.getByTestId(`new-rollout-region-${region}`).uncheck();
    await expect(deployer.getByTestId("plan-preview")).toContainText("US East");
    await deployer.getByTestId("start-rollout").click();
    await deployer.getByTestId("confirm-start").click();
    const refusal = deployer.getByText("The rollout did not start:");
    await expect(refusal).toContainText("Rollouts are frozen in us-east by the stop-all declared by Sam at");
    await expect(refusal).toContainText("(incident INC-7: checkout errors) until someone lifts it.");
    await expect(deployer).toHaveURL(/\/rollouts\/new$/);

    // The audit log names who declared it; the lift ends the banner.
    await sre.goto("/audit");
    await expect(sre.getByText("declared a stop-all freeze").first()).toBeVisible();
    await sre.goto("/");
    await sre.getByTestId("lift-freeze").click();
    await expect(sre.getByTestId("freeze-banner")).toHaveCount(0);
  });
});
