import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { approveGate, closeSignedIn, contextAs, phaseOf, requestAs, trpcData, trpcMutation, type DemoRole } from "./fixtures";

/**
 * Rollback where the on-call looks: a region card's "Roll back" during a canary, and the emergency rollback of
 * every region of a service from the overview. Each is checked on the page and on the simulated load balancers
 * themselves (scripts/e2e-server.mjs keeps them in FLIGHTDECK_SIM_STATE). Both leave every region they touch
 * back on blue with all its traffic, as the other specs expect to find it.
 */

const WORLD_FILE = path.resolve("test-results/e2e-simulated-world.json");
type Split = { blue: number; green: number };
type World = { weights: Record<string, Split>; weightCalls: Array<{ region: string; split: Split }> };
const world = () => JSON.parse(readFileSync(WORLD_FILE, "utf8")) as World;

/** A fresh build each run (a version names exactly one digest for ever); `n` tells this spec's builds apart. */
const build = (n: number) => {
  const stamp = (Date.now() + 100 + n).toString(16).padStart(16, "0");
  return { version: `9.0.${n}-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" };
};

test.afterEach(async () => {
  await closeSignedIn();
});

const pageAs = async (browser: Browser, role: DemoRole): Promise<Page> => (await contextAs(browser, role)).newPage();

/** A deployer starts a rollout of a new build in one region; a reviewer and an SRE approve its gate once it opens. */
async function startApproved(browser: Browser, regionId: string, n: number): Promise<string> {
  const deployer = await requestAs(browser, "deployer");
  const started = await trpcMutation(deployer, "rollouts.start", { serviceId: "api", artifact: build(n), strategy: "parallel", regions: [regionId] });
  expect(started.status(), await started.text()).toBe(200);
  const { rolloutId } = await trpcData<{ rolloutId: string }>(started);
  await approveGate(browser, rolloutId, regionId);
  return rolloutId;
}

/** An SRE skips each stage once it has a passing sample (the validation stage with a reason), until the region succeeded. */
async function promoteToSuccess(browser: Browser, rolloutId: string, regionId: string): Promise<void> {
  const sre = await requestAs(browser, "sre");
  await expect(async () => {
    if ((await phaseOf(sre, rolloutId, regionId)) === "canary") {
      await trpcMutation(sre, "rollouts.promote", { rolloutId, regionId, reason: "e2e: the emergency drill needs a region that succeeded" });
    }
    expect(await phaseOf(sre, rolloutId, regionId)).toBe("succeeded");
  }).toPass({ intervals: [1_000], timeout: 60_000 });
}

test.describe("rollback where the eye is", () => {
  test("an SRE rolls a canary region back from its overview card: the dialog says what happens, and 100 % is back on blue, on the page and the balancer", async ({
    browser,
  }) => {
    test.setTimeout(90_000);
    const rolloutId = await startApproved(browser, "us-east", 1);
    const sre = await pageAs(browser, "sre");

    // The region page offers the same, beside a link to the running rollout.
    await expect(async () => {
      await sre.goto("/regions/us-east");
      await expect(sre.getByTestId("running-rollout-api")).toHaveAttribute("href", `/rollouts/${rolloutId}`, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });

    await sre.goto("/");
    const link = sre.getByTestId("rollout-link-us-east");
    await expect(link).toHaveAttribute("href", `/rollouts/${rolloutId}`);
    await expect(link).toContainText("Canary", { timeout: 30_000 });
    await expect(sre.getByTestId("split-us-east")).not.toHaveText("0 % on green, 100 % on blue", { timeout: 20_000 });
    await expect(sre.getByTestId("rollback-words-api-us-east")).toHaveText("100 % of us-east back to blue, release 1.4.1");

    await sre.getByTestId("rollback-api-us-east").click();
    const dialog = sre.getByRole("dialog", { name: "Roll back us-east?" });
    await expect(dialog.getByTestId("rollback-summary")).toHaveText("100 % of us-east back to blue, release 1.4.1.");
    await expect(dialog).toContainText(/The canary of 9\.0\.1-e2e\.\w+ \(\d+ % on green\) ends rolled back/);
    await sre.screenshot({ path: "test-results/screenshots/overview-rollback-dialog.png" });
    await dialog.getByTestId("confirm-rollback").click();

    // Live, without a reload: the card follows the engine until the balancer verified 100 % on blue.
    await expect(sre.getByTestId("split-us-east")).toHaveText("0 % on green, 100 % on blue", { timeout: 20_000 });
    await expect(sre.getByTestId("rollback-words-api-us-east")).toContainText(
      /^Nothing to roll back: 9\.0\.1-e2e\.\w+ was already rolled back and blue serves 100 % of us-east\.$/,
    );
    await expect(sre.getByTestId("rollback-api-us-east")).toBeDisabled();
    const calls = world().weightCalls.filter((c) => c.region === "us-east");
    expect(calls.some((c) => c.split.green > 0)).toBe(true);
    expect(calls.at(-1)!.split).toEqual({ blue: 100, green: 0 });
    expect(world().weights["us-east"]).toEqual({ blue: 100, green: 0 });

    await sre.goto(`/rollouts/${rolloutId}`);
    await expect(sre.getByTestId("phase-us-east")).toHaveText("Rolled back");

    // A viewer sees the link, never the controls.
    const viewer = await pageAs(browser, "viewer");
    await viewer.goto("/");
    await expect(viewer.getByTestId("region-card-us-east")).toBeVisible();
    await expect(viewer.locator("[data-testid^=rollback-], [data-testid^=emergency-rollback-]")).toHaveCount(0);
  });

  test("an SRE rolls every region back at once after typing the service's id: a canary and a succeeded region, each verified", async ({ browser }) => {
    test.setTimeout(150_000);
    const canaryId = await startApproved(browser, "us-east", 2);
    const succeededId = await startApproved(browser, "apac-se", 3);
    await promoteToSuccess(browser, succeededId, "apac-se");
    const sre = await pageAs(browser, "sre");
    await sre.goto("/");
    await expect(sre.getByTestId("rollout-link-us-east")).toContainText("Canary", { timeout: 30_000 });
    await expect(sre.getByTestId("split-apac-se")).toHaveText("100 % on green, 0 % on blue");
    await expect(sre.getByTestId("rollback-words-api-apac-se")).toHaveText("100 % of apac-se back to blue, release 1.4.1");

    await sre.getByTestId("emergency-rollback-api").click();
    const dialog = sre.getByRole("dialog", { name: "Emergency rollback of every region of API?" });
    const plan = dialog.getByTestId("emergency-plan");
    await expect(plan).toContainText("100 % of us-east back to blue, release 1.4.1.");
    await expect(plan).toContainText("100 % of apac-se back to blue, release 1.4.1.");
    await expect(plan).toContainText("eu-west is left alone:");
    const confirm = dialog.getByTestId("confirm-emergency-rollback");
    await expect(confirm).toBeDisabled();
    await dialog.getByTestId("emergency-confirm-text").fill("ap");
    await expect(confirm).toBeDisabled();
    await dialog.getByTestId("emergency-confirm-text").fill("api");
    await sre.screenshot({ path: "test-results/screenshots/overview-emergency-rollback-dialog.png" });
    await confirm.click();

    const result = sre.getByTestId("emergency-result-api");
    await expect(result).toContainText("Emergency rollback of API requested; the regions move back in parallel, each verified.");
    await expect(result).toContainText("eu-west left alone:");
    for (const region of ["us-east", "apac-se"])
      await expect(sre.getByTestId(`split-${region}`)).toHaveText("0 % on green, 100 % on blue", { timeout: 30_000 });
    await sre.screenshot({ path: "test-results/screenshots/overview-after-emergency-rollback.png", fullPage: true });
    expect(world().weights["us-east"]).toEqual({ blue: 100, green: 0 });
    expect(world().weights["apac-se"]).toEqual({ blue: 100, green: 0 });
    for (const [rolloutId, region] of [
      [canaryId, "us-east"],
      [succeededId, "apac-se"],
    ])
      expect(await phaseOf(sre.request, rolloutId, region)).toBe("rolled_back");

    // One summary for both regions, written once each was verified: the event behind the one incident card.
    await expect(async () => {
      await sre.goto("/audit");
      await expect(sre.getByText(/Emergency rollback of api by Sam: 2 of 2 regions back on the previous release\./)).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
  });
});
