import { expect, test, type APIRequestContext } from "@playwright/test";
import { approveGate, closeSignedIn, requestAs, signInAs, trpcData, trpcMutation } from "./fixtures";

/** A fresh build each run: a version names exactly one digest for ever. */
const stamp = Date.now().toString(16).padStart(16, "0");

test.afterEach(async () => {
  await closeSignedIn();
});

type RegionState = { regionId: string; phase: string; stagePercent: number | null };

async function regionOf(request: APIRequestContext, rolloutId: string, regionId: string): Promise<RegionState> {
  const res = await request.get(`/api/trpc/rollouts.get?input=${encodeURIComponent(JSON.stringify({ json: { id: rolloutId } }))}`);
  const view = await trpcData<{ regions: RegionState[] }>(res);
  return view.regions.find((r) => r.regionId === regionId)!;
}

test("the validation stage shows CPU, memory and health with their limits, every chart has a name and a table, and a waiting region is one line", async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const deployer = await requestAs(browser, "deployer");
  const started = await trpcMutation(deployer, "rollouts.start", {
    serviceId: "api",
    artifact: {
      version: `7.2.0-e2e.${stamp}`,
      digest: `sha256:${stamp.split("").reverse().join("").repeat(4)}`,
      sourceRef: "refs/heads/main",
      commitSha: "0123abc",
    },
    strategy: "sequential",
    regions: ["us-east", "eu-west"],
  });
  expect(started.status(), await started.text()).toBe(200);
  const { rolloutId } = await trpcData<{ rolloutId: string }>(started);

  // The reviewer and the SRE open us-east's gate as soon as it stands there.
  await approveGate(browser, rolloutId, "us-east");

  // eu-west waits for us-east: one line that says so, no empty charts.
  const viewer = await (await browser.newContext()).newPage();
  await signInAs(viewer.request, "viewer");
  await viewer.goto(`/rollouts/${rolloutId}`);
  const euWest = viewer.getByTestId("region-eu-west");
  await expect(euWest.getByTestId("standby-eu-west")).toHaveText("Waiting for us-east to pass");
  await expect(euWest.locator("figure")).toHaveCount(0);
  await expect(euWest).not.toContainText("No samples yet");
  expect((await euWest.boundingBox())!.height, "the waiting region's height").toBeLessThan(80);

  // The SRE promotes each canary stage as it comes, so us-east reaches its validation stage at 100 % in seconds.
  const sre = await requestAs(browser, "sre");
  await expect(async () => {
    const region = await regionOf(sre, rolloutId, "us-east");
    if (region.phase === "canary" && region.stagePercent !== null && region.stagePercent < 100) {
      await trpcMutation(sre, "rollouts.promote", { rolloutId, regionId: "us-east", reason: "e2e: reach the validation stage" });
    }
    expect(region.stagePercent).toBe(100);
  }).toPass({ timeout: 60_000, intervals: [500] });

  const usEast = viewer.getByTestId("region-us-east");
  await expect(viewer.getByTestId("phase-us-east")).toContainText("Validation at 100 %", { timeout: 20_000 });
  // The stage card lists every metric judged at 100 %, each with its newest value and its limit, whole.
  const card = usEast.getByTestId("stage-metrics-us-east-4");
  await expect(card).toContainText(/CPU \d+(\.\d+)? % \/ below 70 %/, { timeout: 20_000 });
  // Sampled: hold it there (a pause keeps what is left of the stage), so eu-west is still waiting when us-east rolls back.
  const paused = await trpcMutation(sre, "rollouts.pause", { rolloutId, regionId: "us-east", reason: "e2e: read the validation charts" });
  expect(paused.status(), await paused.text()).toBe(200);
  await expect(card).toContainText(/memory \d+(\.\d+)? % \/ below 70 %/);
  await expect(card).toContainText(/health \d+ \/ expect 200/);
  await expect(card).toContainText(/error rate .* \/ max 0\.2 %/);
  await expect(card).toContainText(/p95 .* \/ max 300 ms/);
  // The 10 % stage judges error rate and p95 only.
  await expect(usEast.getByTestId("stage-metrics-us-east-0")).toContainText("max 1 %");
  await expect(usEast.getByTestId("stage-metrics-us-east-0")).not.toContainText("CPU");

  // Five charts, each a named image: canary and baseline, the limit, the marks.
  for (const [metric, name] of [
    ["error_rate", /^Error rate in US East, \d+ samples?: newest green \(canary\)/],
    ["latency_p95", /^p95 latency in US East/],
    ["cpu", /^CPU in US East.*limit below 70 %/],
    ["memory", /^Memory in US East.*limit below 70 %/],
    ["health", /^Health status in US East.*limit expect 200/],
  ] as const) {
    const chart = usEast.getByTestId(`chart-${metric}`);
    await expect(chart.getByRole("img", { name })).toBeVisible();
  }
  await expect(usEast.getByTestId("chart-cpu").locator("figcaption")).toContainText("judged at 100 %");
  // The drawings arrive after the page; none of them is a Tab stop or an unnamed application.
  await expect(usEast.locator(".recharts-wrapper")).toHaveCount(5, { timeout: 20_000 });
  await expect(viewer.locator("svg[tabindex], [role=application]")).toHaveCount(0);

  // The table alternative: CPU's samples with the validation stage's limit.
  const cpu = usEast.getByTestId("chart-cpu");
  await cpu.getByText("Show as table").click();
  const table = cpu.getByRole("table");
  await expect(table.getByRole("columnheader")).toHaveText(["Time", "Stage", "green (canary)", "blue (baseline)", "Limit", "Verdict"]);
  await expect(table.getByRole("row").filter({ hasText: "100 %" }).filter({ hasText: "below 70 %" }).first()).toBeVisible();
  await expect(table.getByRole("row").filter({ hasText: "10 %" }).first()).toContainText("not judged");
  await viewer.screenshot({ path: "test-results/screenshots/validation-charts.png", fullPage: true });

  // The region page's chart too: a named image with a table, and no Tab stop.
  await viewer.goto("/regions/us-east");
  await expect(viewer.getByRole("img", { name: /^Error rate and p95 latency of the last \d+ canary samples/ })).toBeVisible();
  await expect(viewer.locator(".recharts-wrapper")).toHaveCount(1, { timeout: 20_000 });
  await expect(viewer.locator("svg[tabindex], [role=application]")).toHaveCount(0);
  await viewer.getByText("Show as table").click();
  await expect(viewer.getByRole("table").filter({ hasText: "p95 latency" }).getByRole("row")).not.toHaveCount(1);
  await viewer.goto(`/rollouts/${rolloutId}`);

  // The settings table shows the validation stage's CPU, memory and health limits.
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin.request, "admin");
  await admin.goto("/settings");
  const row100 = admin.getByRole("table").filter({ hasText: "Max p95" }).getByRole("row").filter({ hasText: "300 ms" });
  await expect(row100).toContainText("below 70 %");
  await expect(row100).toContainText("status 200");

  // Leave the fleet as it was: us-east back to blue.
  const rolledBack = await trpcMutation(sre, "rollouts.rollback", { serviceId: "api", regionId: "us-east" });
  expect(rolledBack.status(), await rolledBack.text()).toBe(200);
  // The chain stops at eu-west, which says so in its one line, live.
  await expect(euWest.getByTestId("standby-eu-west")).toHaveText("Blocked: us-east was rolled back", { timeout: 20_000 });
  await expect(euWest.locator("figure")).toHaveCount(0);
});
