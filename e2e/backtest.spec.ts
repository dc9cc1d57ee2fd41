import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { signInAs } from "./fixtures";

/**
 * The threshold backtest page for a viewer: offered in the nav, the question asked in a plain form, and the answer
 * for the e2e fleet, whose metrics are simulated: the refusal that says there is no recorded history and where to
 * configure Prometheus. (A replay over real recorded history is tested against the lab's Prometheus:
 * server/cli/backtest-lab.test.ts.)
 */
test("a viewer opens the backtest from the nav, asks about us-east, and reads why there is nothing to replay", async ({ page }) => {
  await signInAs(page.request, "viewer");
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Backtest" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Threshold backtest" })).toBeVisible();

  await page.getByRole("combobox", { name: "Region" }).selectOption("us-east");
  await page.getByRole("textbox", { name: "From", exact: true }).fill("-1h");
  await page.getByRole("button", { name: "Replay" }).click();
  await expect(page).toHaveURL(/\/backtest\?region=us-east.*from=-1h/);
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(
    "us-east's metrics are simulated: there is no recorded history to replay. The backtest reads Prometheus (regions[].metrics.provider: prometheus).",
  );
  await expect(page.getByRole("textbox", { name: "From", exact: true })).toHaveValue("-1h");

  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});
