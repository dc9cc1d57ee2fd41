import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Browser, type BrowserContext } from "@playwright/test";
import { signInAs, trpcData, trpcErrorMessage, trpcMutation, type DemoRole } from "./fixtures";

/**
 * The migration path where a deployer meets it (docs/policies.md#migration-path): with the service's strategy
 * policy at its default, the start form says parallel is not open yet and why, a parallel start is refused with
 * that reason, and delayed is open. The e2e fleet turns the policy off (every other spec starts parallel, and a
 * second service would put a second card of each region on the overview), so this spec starts its own server:
 * the e2e fleet with the policy on, a fresh database, its own port.
 */

const FLEET = path.join(import.meta.dirname, "fleet.e2e.yaml");
const PARALLEL_REFUSAL =
  "Parallel is not open yet (migration path): 0 of 5 clean delayed rollouts; no rollback drill recorded (one is needed in the last 30 days: " +
  "flightdeck simulate --fault … --record, or a real rollback). Use delayed until then.";

let server: ChildProcess | null = null;
let dir = "";
let baseURL = "";
const opened: BrowserContext[] = [];

test.beforeAll(async () => {
  const testInfo = test.info();
  testInfo.setTimeout(180_000);
  // Beside the run's own server: its port plus 40, so two runs on the machine keep apart here too.
  const port = Number(new URL(testInfo.project.use.baseURL!).port) + 40;
  baseURL = `http://localhost:${port}`;
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-e2e-migration-"));
  const fleet = readFileSync(FLEET, "utf8");
  const policyOn = fleet.replace(/strategyPolicy: "off"/, "strategyPolicy: {}");
  expect(policyOn, `${FLEET} no longer sets strategyPolicy: "off" for its service`).not.toBe(fleet);
  writeFileSync(path.join(dir, "fleet.yaml"), policyOn.replace("http://localhost:3100", baseURL));
  server = spawn(process.execPath, [path.join(import.meta.dirname, "../scripts/e2e-server.mjs"), String(port)], {
    stdio: "ignore",
    env: {
      ...process.env,
      FLIGHTDECK_E2E_CONFIG: path.join(dir, "fleet.yaml"),
      FLIGHTDECK_E2E_DB: path.join(dir, "flightdeck.db"),
      FLIGHTDECK_E2E_SIM_STATE: path.join(dir, "world.json"),
    },
  });
  const exited = new Promise<never>((_, reject) => server!.once("exit", (code) => reject(new Error(`the policy-on server on port ${port} exited (${code})`))));
  const up = (async () => {
    for (;;) {
      const ok = await fetch(`${baseURL}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  await Promise.race([up, exited]);
});

test.afterAll(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await gone;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function contextAs(browser: Browser, role: DemoRole): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  opened.push(context);
  await signInAs(context.request, role);
  return context;
}

test("the start form explains the migration path: parallel is not open yet and why, a parallel start is refused with that reason, delayed is open", async ({
  browser,
}) => {
  const deployer = await contextAs(browser, "deployer");
  const page = await deployer.newPage();
  await page.goto("/rollouts/new");
  await page.getByTestId("new-rollout-strategy").selectOption("parallel");
  const policy = page.getByTestId("strategy-policy");
  await expect(policy.getByTestId("strategy-verdict-parallel")).toHaveAttribute("data-open", "false");
  await expect(policy.getByTestId("strategy-verdict-parallel")).toContainText(`Parallel: not open yet. ${PARALLEL_REFUSAL}`);
  await expect(policy).toContainText("Only an admin may start it before the path opens it");
  await expect(policy.getByTestId("strategy-verdict-delayed")).toHaveAttribute("data-open", "true");
  await expect(policy.getByTestId("strategy-verdict-delayed")).toContainText("Delayed: open.");

  const stamp = Date.now().toString(16).padStart(16, "0");
  const artifact = { version: `9.9.0-m.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" };
  const refused = await trpcMutation(deployer.request, "rollouts.start", { serviceId: "api", artifact, strategy: "parallel", regions: ["us-east"] });
  expect(refused.status()).toBe(412);
  expect(await trpcErrorMessage(refused)).toBe(`api: ${PARALLEL_REFUSAL} An admin may start it anyway with an override reason.`);

  await page.getByTestId("new-rollout-strategy").selectOption("delayed");
  await expect(policy.getByTestId("strategy-verdict-delayed")).toHaveAttribute("data-open", "true");
  await expect(policy).not.toContainText("Only an admin may start it");
  const started = await trpcMutation(deployer.request, "rollouts.start", {
    serviceId: "api",
    artifact,
    strategy: "delayed",
    delayMinutes: 30,
    regions: ["us-east"],
  });
  expect(started.status(), await started.text()).toBe(200);
  expect((await trpcData<{ rolloutId: string }>(started)).rolloutId).toBeTruthy();
});
