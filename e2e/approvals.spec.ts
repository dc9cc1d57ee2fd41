import { expect, test, type Browser } from "@playwright/test";
import { closeSignedIn, contextAs, phaseOf, trpcData, trpcMutation } from "./fixtures";

/**
 * Approvals that guide, from the keyboard: the navigation counts the gates waiting for me; Approve disables
 * itself once given and the page says who is still needed; Reject asks for the reason in a confirmation first.
 * Each test ends with its region aborted at the gate, so blue keeps all the traffic for the specs after it.
 */

const build = (n: number) => {
  const stamp = (Date.now() + 200 + n).toString(16).padStart(16, "0");
  return { version: `9.1.${n}-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" };
};

test.afterEach(async () => {
  await closeSignedIn();
});

/** A deployer starts a new build in one region and waits until it stands at its gate. */
async function startAtGate(browser: Browser, regionId: string, n: number): Promise<string> {
  const deployer = (await contextAs(browser, "deployer")).request;
  const started = await trpcMutation(deployer, "rollouts.start", { serviceId: "api", artifact: build(n), strategy: "parallel", regions: [regionId] });
  expect(started.status(), await started.text()).toBe(200);
  const { rolloutId } = await trpcData<{ rolloutId: string }>(started);
  await expect(async () => expect(await phaseOf(deployer, rolloutId, regionId)).toBe("awaiting_approval")).toPass({ timeout: 20_000 });
  return rolloutId;
}

test("a reviewer approves from the keyboard: the count in the navigation, the button disabled once given, and who is still needed", async ({ browser }) => {
  const rolloutId = await startAtGate(browser, "eu-west", 1);
  const page = await (await contextAs(browser, "reviewer")).newPage();
  await page.goto("/approvals");
  await expect(page.getByRole("navigation", { name: "Main" }).getByTestId("approvals-waiting")).toHaveText(/^[1-9]\d* waiting for you$/);

  const gate = page.getByTestId(`gate-${rolloutId}-eu-west`);
  await expect(gate.getByText("Still needed: 1 reviewer and 1 SRE")).toBeVisible();
  await gate.getByLabel("Comment (optional)").focus();
  await page.keyboard.type("release notes read");
  await page.keyboard.press("Tab");
  await expect(gate.getByTestId(`approve-${rolloutId}-eu-west`)).toBeFocused();
  await page.keyboard.press("Enter");

  const notice = page.getByTestId("approval-notice");
  await expect(notice).toHaveText(/You approved eu-west as reviewer \(1 of 1 reviewer, 0 of 1 SRE\)\. Still needed: 1 SRE\./);
  await expect(notice).toBeFocused();
  await expect(gate.getByTestId(`approve-${rolloutId}-eu-west`)).toBeDisabled();
  await expect(gate.getByText("Still needed: 1 SRE")).toBeVisible();

  const sre = (await contextAs(browser, "sre")).request;
  const aborted = await trpcMutation(sre, "rollouts.abort", { rolloutId, regionId: "eu-west" });
  expect(aborted.status(), await aborted.text()).toBe(200);
});

test("a reviewer rejects only after giving the reason in a confirmation; the region is aborted and the page says so", async ({ browser }) => {
  const rolloutId = await startAtGate(browser, "apac-se", 2);
  const page = await (await contextAs(browser, "sre")).newPage();
  await page.goto("/approvals");
  const gate = page.getByTestId(`gate-${rolloutId}-apac-se`);
  const reject = gate.getByTestId(`reject-${rolloutId}-apac-se`);
  await reject.focus();
  await page.keyboard.press("Enter");

  // Nothing is rejected yet: a confirmation asks for the reason, focused, and Escape would take it back.
  const confirm = gate.getByRole("group", { name: /^Reject / });
  await expect(confirm).toContainText("It is aborted and the regions after it are blocked");
  const reason = confirm.getByLabel("Reason (required)");
  await expect(reason).toBeFocused();
  await expect(confirm.getByTestId(`confirm-reject-${rolloutId}-apac-se`)).toBeDisabled();
  await page.keyboard.press("Escape");
  await expect(reject).toBeFocused();
  expect(await phaseOf(page.request, rolloutId, "apac-se")).toBe("awaiting_approval");

  await page.keyboard.press("Enter");
  await page.keyboard.type("the schema migration is not reviewed");
  await page.keyboard.press("Tab");
  await expect(confirm.getByTestId(`confirm-reject-${rolloutId}-apac-se`)).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(page.getByTestId("approval-notice")).toHaveText("You rejected apac-se: it will be aborted and the regions after it blocked.");
  await expect(page.getByTestId("approval-notice")).toBeFocused();
  await expect(async () => expect(await phaseOf(page.request, rolloutId, "apac-se")).toBe("aborted")).toPass({ timeout: 20_000 });
});
