import { expect, test } from "@playwright/test";
import { closeSignedIn, contextAs, phaseOf, requestAs, trpcData, trpcMutation } from "./fixtures";

/**
 * An incident where people meet it: a demo fault in us-east rolls a fresh build back; its rollout page lists the
 * incident as open, a viewer sees no Acknowledge, an sre acknowledges it (no ticket or page follows). The spec
 * clears the fault and lifts the quarantine afterwards, so the next spec starts nothing quarantined.
 */

test.afterEach(async ({ browser }) => {
  const sre = await requestAs(browser, "sre");
  await trpcMutation(sre, "demo.clearFaults", { regionId: "us-east" });
  const listed = await sre.get(`/api/trpc/quarantine.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
  for (const q of (await trpcData<{ quarantines: Array<{ id: string }> }>(listed)).quarantines)
    await trpcMutation(sre, "quarantine.lift", { id: q.id, reason: "e2e: end of the incidents spec" });
  await closeSignedIn();
});

test("a region rolled back for a breach is an open incident on its rollout page; an sre acknowledges it, a viewer cannot", async ({ browser }) => {
  const stamp = Date.now().toString(16).padStart(16, "0");
  const version = `9.9.0-inc.${stamp}`;
  const sre = await requestAs(browser, "sre");
  const fault = await trpcMutation(sre, "demo.injectFault", { regionId: "us-east", stagePercent: 10, errorRatePct: 5 });
  expect(fault.status(), await fault.text()).toBe(200);

  const deployer = await requestAs(browser, "deployer");
  const artifact = { version, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" };
  const started = await trpcMutation(deployer, "rollouts.start", { serviceId: "api", artifact, strategy: "parallel", regions: ["us-east"] });
  expect(started.status(), await started.text()).toBe(200);
  const { rolloutId } = await trpcData<{ rolloutId: string }>(started);
  for (const role of ["reviewer", "sre"] as const) {
    const reviewer = await requestAs(browser, role);
    await expect(async () => {
      const approved = await trpcMutation(reviewer, "approvals.approve", { rolloutId, regionId: "us-east" });
      expect(approved.status(), await approved.text()).toBe(200);
    }).toPass({ timeout: 20_000 });
  }
  await expect(async () => expect(await phaseOf(sre, rolloutId, "us-east")).toBe("rolled_back")).toPass({ intervals: [1_000], timeout: 45_000 });

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
