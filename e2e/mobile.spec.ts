import { expect, test, type APIRequestContext, type Browser, type BrowserContext } from "@playwright/test";
import { signInAs, signOut, trpcData, trpcMutation, type DemoRole } from "./fixtures";

/**
 * At 375 px: a Menu button opens every navigation item the role may use (none hide off-screen), the region under
 * way comes first, and a metric's limit is never cut off. Also the navigation's manners at any width: none signed
 * out, only the pages a role may use, and an ended session that says how to sign in again with a grey Live dot.
 */
const PHONE = { width: 375, height: 800 };

const build = () => {
  const stamp = (Date.now() + 500).toString(16).padStart(16, "0");
  return { version: `9.5.0-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" };
};

const opened: BrowserContext[] = [];
test.afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

async function contextAs(browser: Browser, role: DemoRole | null, viewport = PHONE): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  opened.push(context);
  if (role) await signInAs(context.request, role);
  return context;
}

async function phaseOf(request: APIRequestContext, rolloutId: string, regionId: string): Promise<string> {
  const res = await request.get(`/api/trpc/rollouts.get?input=${encodeURIComponent(JSON.stringify({ json: { id: rolloutId } }))}`);
  const view = await trpcData<{ regions: Array<{ regionId: string; phase: string }> }>(res);
  return view.regions.find((r) => r.regionId === regionId)!.phase;
}

const EVERY_ITEM = ["Overview", "Rollouts", "Approvals", "Audit log", "Backtest", "Docs", "Settings", "Admin"];

test("at 375 px the Menu button shows every item on screen; Escape closes it and gives the focus back", async ({ browser }) => {
  const page = await (await contextAs(browser, "admin")).newPage();
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  for (const item of EVERY_ITEM) {
    const link = nav.getByRole("link", { name: new RegExp(`^${item}`) });
    await expect(link, item).toBeVisible();
    await expect(link, `${item} is on screen`).toBeInViewport({ ratio: 1 });
  }
  await nav.getByRole("link", { name: "Rollouts" }).focus();
  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();

  // Following a link closes the menu on the new page.
  await menu.click();
  await nav.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(nav).toBeHidden();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
});

test("signed out there is no navigation; each role sees only the pages it may use", async ({ browser }) => {
  const anonymous = await (await contextAs(browser, null, { width: 1280, height: 800 })).newPage();
  await anonymous.goto("/signin");
  await expect(anonymous.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(anonymous.getByRole("navigation", { name: "Main" })).toHaveCount(0);
  await expect(anonymous.getByRole("button", { name: "Menu" })).toHaveCount(0);

  const expected: Record<DemoRole, string[]> = {
    viewer: ["Overview", "Rollouts", "Audit log", "Backtest", "Docs"],
    deployer: ["Overview", "Rollouts", "Audit log", "Backtest", "Docs"],
    reviewer: ["Overview", "Rollouts", "Approvals", "Audit log", "Backtest", "Docs"],
    sre: ["Overview", "Rollouts", "Approvals", "Audit log", "Backtest", "Docs"],
    admin: EVERY_ITEM,
  };
  for (const [role, items] of Object.entries(expected) as Array<[DemoRole, string[]]>) {
    const page = await (await contextAs(browser, role, { width: 1280, height: 800 })).newPage();
    await page.goto("/");
    const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    await expect(links, role).toHaveText(items.map((i) => new RegExp(`^${i}`)));
  }
});

test("an ended session says how to sign in again, and the Live dot turns grey", async ({ browser }) => {
  // A reviewer: the navigation's count of gates waiting asks the server every 15 s, which is how the page learns.
  const context = await contextAs(browser, "reviewer", { width: 1280, height: 800 });
  const page = await context.newPage();
  await page.goto("/");
  const live = page.getByTestId("live-status");
  await expect(live).toHaveText("Live");

  // The session ends (signed out elsewhere: the server revokes it); the next call the page makes is refused.
  await signOut(context.request);
  const notice = page.getByTestId("session-ended");
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(notice.getByRole("link", { name: "Sign in again" })).toHaveAttribute("href", "/signin?reason=expired");
  await expect(live).toHaveAttribute("data-live", "signed-out");
  await expect(live.getByRole("link", { name: "Not live: sign in" })).toBeVisible();
});

test("at 375 px the region under way comes first and no metric limit is cut off", async ({ browser }) => {
  test.setTimeout(60_000);
  const deployer = (await contextAs(browser, "deployer")).request;
  // apac-se is the fleet's last region (manners.spec leaves eu-west at its gate): a rollout there waits at its gate, under way.
  const started = await trpcMutation(deployer, "rollouts.start", { serviceId: "api", artifact: build(), strategy: "parallel", regions: ["apac-se"] });
  expect(started.status(), await started.text()).toBe(200);
  const { rolloutId } = await trpcData<{ rolloutId: string }>(started);
  await expect(async () => expect(await phaseOf(deployer, rolloutId, "apac-se")).toBe("awaiting_approval")).toPass({ timeout: 20_000 });

  const page = await (await contextAs(browser, "viewer")).newPage();
  await page.goto("/");
  const first = await page.getByTestId("region-card-apac-se").first().boundingBox();
  const second = await page.getByTestId("region-card-us-east").first().boundingBox();
  expect(first!.y, "apac-se (under way) above us-east").toBeLessThan(second!.y);

  // Every readout that names a limit shows it whole.
  const cut = await page.evaluate(() =>
    [...document.querySelectorAll("main span")]
      .filter((el) => /max /.test(el.textContent ?? "") && el.children.length === 0)
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent),
  );
  expect(cut).toEqual([]);

  const sre = (await contextAs(browser, "sre")).request;
  const aborted = await trpcMutation(sre, "rollouts.abort", { rolloutId, regionId: "apac-se" });
  expect(aborted.status(), await aborted.text()).toBe(200);
});
