import { expect, test } from "@playwright/test";
import { DEMO_USERS, signInAs, trpcData, trpcMutation } from "./fixtures";

/** A fresh build each run: a version names exactly one digest for ever. */
const stamp = Date.now().toString(16).padStart(16, "0");

test("the event log and the audit page name people and tokens, never their ids", async ({ browser }) => {
  const admin = await browser.newContext();
  await signInAs(admin.request, "admin");
  const name = `ci-names-${stamp.slice(-6)}`;
  const created = await trpcMutation(admin.request, "tokens.create", { name, scope: "deploy" });
  expect(created.status(), await created.text()).toBe(200);
  const { token } = await trpcData<{ token: string }>(created);

  // CI starts a rollout with the token over REST; two reviewers approve its gate.
  const started = await admin.request.post("/api/v1/rollouts", {
    headers: { authorization: `Bearer ${token}` },
    data: {
      serviceId: "api",
      artifact: { version: `8.0.0-e2e.${stamp}`, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" },
      strategy: "parallel",
      regions: ["eu-west"],
    },
  });
  expect(started.status(), await started.text()).toBe(202);
  const { rolloutId } = (await started.json()) as { rolloutId: string };
  for (const role of ["reviewer", "sre"] as const) {
    const reviewer = await browser.newContext();
    await signInAs(reviewer.request, role);
    await expect(async () => {
      const approved = await trpcMutation(reviewer.request, "approvals.approve", { rolloutId, regionId: "eu-west" });
      expect(approved.status(), await approved.text()).toBe(200);
    }).toPass({ timeout: 20_000 });
    await reviewer.close();
  }

  const page = await admin.newPage();
  await page.goto(`/rollouts/${rolloutId}`);
  const log = page.locator("section[aria-labelledby=event-log]");
  await expect(log).toContainText(`by token ${name} (created by ${DEMO_USERS.admin.name})`);
  await expect(log).toContainText(`by ${DEMO_USERS.reviewer.name}`);
  await expect(log).toContainText(`by ${DEMO_USERS.sre.name}`);
  // Ids only in tooltips: no "user:…" reference and no token or user id in the text a person reads.
  await expect(log).not.toContainText("user:");
  await expect(log).not.toContainText("token:");
  await expect(log).not.toContainText(DEMO_USERS.reviewer.id);

  // The audit page reads the same names, and its actor filter takes a person's name or a token's.
  await page.goto(`/audit`);
  await expect(page.getByTestId("audit-table")).toContainText(`token ${name} (created by ${DEMO_USERS.admin.name})`);
  await expect(page.getByTestId("audit-table")).not.toContainText("user:demo-");
  for (const actor of [DEMO_USERS.reviewer.name, name]) {
    await page.goto(`/audit?actor=${encodeURIComponent(actor)}`);
    const rows = page.locator("[data-testid^=audit-event-]");
    await expect(rows.first()).toBeVisible();
    for (const text of await rows.allInnerTexts()) expect(text, `a row of the audit filtered by ${actor}`).toContain(actor);
  }
  // Later specs start in eu-west: this rollout ends here.
  const aborted = await trpcMutation(admin.request, "rollouts.abort", { rolloutId, regionId: "eu-west" });
  expect(aborted.status(), await aborted.text()).toBe(200);
  await admin.close();
});
