import { expect, test } from "@playwright/test";
import { closeSignedIn, contextAs, phaseOf, requestAs, trpcData, trpcErrorMessage, trpcMutation } from "./fixtures";

/**
 * The schema-compatibility gate where people meet it: a release whose manifest drops a column is refused on the
 * start form (the live release does not declare readyFor it: the demo's 1.4.1 declares readyFor 1.4.2, a release
 * rolled out by an earlier spec none), an admin starts it in one region with a reason, and reviewers
 * see its migrations and the verdict on the approval page and the rollout page. The region is aborted at its
 * gate afterwards, so blue keeps all the traffic for the specs after this one.
 */

let rolloutId: string | null = null;
test.afterEach(async ({ browser }) => {
  if (rolloutId) {
    const sre = await requestAs(browser, "sre");
    const aborted = await trpcMutation(sre, "rollouts.abort", { rolloutId, regionId: "eu-west" });
    expect(aborted.status(), await aborted.text()).toBe(200);
    rolloutId = null;
  }
  await closeSignedIn();
});

const DROP = { id: "0042_drop_legacy_name", class: "contract", description: "drop column users.legacy_name" };
const ADD = { id: "0041_add_display_name", class: "expand", description: "add column users.display_name" };

test("a contract release is refused on the start form, and the approval page shows its migrations and the verdict", async ({ browser }) => {
  const stamp = Date.now().toString(16).padStart(16, "0");
  const version = `9.4.0-sc.${stamp}`;
  const artifact = { version, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc", manifest: { migrations: [ADD, DROP] } };
  const start = { serviceId: "api", artifact, strategy: "parallel", regions: ["eu-west"] };

  // A deployer's start is refused (412) and writes nothing; an admin starts it in eu-west with a reason.
  const deployer = await requestAs(browser, "deployer");
  const refused = await trpcMutation(deployer, "rollouts.start", start);
  expect(refused.status()).toBe(412);
  const refusal = await trpcErrorMessage(refused);
  expect(refusal).toContain(`live in eu-west does not declare readyFor ${version}`);
  expect(refusal).toContain("; ship an expand release first.");
  const admin = await requestAs(browser, "admin");
  const started = await trpcMutation(admin, "rollouts.start", { ...start, schemaOverrideReason: "legacy_name is unread since 1.3" });
  expect(started.status(), await started.text()).toBe(200);
  rolloutId = (await trpcData<{ rolloutId: string }>(started)).rolloutId;
  await expect(async () => expect(await phaseOf(admin, rolloutId!, "eu-west")).toBe("awaiting_approval")).toPass({ timeout: 20_000 });

  // On the start form the release now registered is refused beside the artifact, and Start stays disabled.
  const form = await (await contextAs(browser, "deployer")).newPage();
  await form.goto("/rollouts/new");
  const select = form.getByTestId("new-rollout-artifact");
  await select.selectOption((await select.locator("option", { hasText: version }).getAttribute("value"))!);
  for (const region of ["eu-west", "apac-se"]) await form.getByTestId(`new-rollout-region-${region}`).uncheck();
  const problems = form.locator("#artifact-problems");
  await expect(problems).toContainText('contract migration 0042_drop_legacy_name ("drop column users.legacy_name")');
  await expect(problems).toContainText(`live in us-east does not declare readyFor ${version}`);
  await expect(problems).toContainText("; ship an expand release first.");
  await expect(form.getByTestId("start-rollout")).toBeDisabled();
  await expect(form.getByTestId("schema-override")).toHaveCount(0);

  // Reviewers see the migrations, each with its class, and the verdict with the admin's reason.
  const approvals = await (await contextAs(browser, "reviewer")).newPage();
  await approvals.goto("/approvals");
  const card = approvals.locator("article", { has: approvals.getByTestId(`gate-${rolloutId}-eu-west`) });
  const check = card.getByTestId("schema-check");
  await expect(check.getByTestId("schema-verdict")).toHaveText("Not compatible: started by an admin's override");
  await expect(check.getByRole("list", { name: "Migrations" })).toContainText("contract0042_drop_legacy_namedrop column users.legacy_name");
  await expect(check.getByRole("list", { name: "Migrations" })).toContainText("expand0041_add_display_nameadd column users.display_name");
  await expect(check).toContainText("Override reason: “legacy_name is unread since 1.3”");
  await expect(check.getByRole("list", { name: "Live release per region" })).toContainText(
    /eu-west: \S+ was live, declares (no readyFor|readyFor \S+) \(does not tolerate it\)/,
  );

  // So does the rollout page.
  const rollout = await (await contextAs(browser, "viewer")).newPage();
  await rollout.goto(`/rollouts/${rolloutId}`);
  await expect(rollout.getByTestId("schema-check")).toContainText("0042_drop_legacy_name");
  await expect(rollout.getByTestId("schema-verdict")).toHaveText("Not compatible: started by an admin's override");
});
