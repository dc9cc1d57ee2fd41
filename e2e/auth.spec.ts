import { expect, test } from "@playwright/test";
import { SESSION_COOKIE, signInAs, signOut, trpcData, trpcErrorMessage, trpcMutation, trpcQuery } from "./fixtures";

test.describe("sign-in", () => {
  test("a deployer signs in with one click on the demo button and lands on the overview", async ({ page }) => {
    await page.goto("/signin");
    const button = page.getByTestId("demo-signin-deployer");
    await expect(button).toHaveText("Sign in as Dana (deployer)");
    // One button per role in demo mode.
    for (const role of ["viewer", "deployer", "reviewer", "sre", "admin"]) {
      await expect(page.getByTestId(`demo-signin-${role}`)).toBeVisible();
    }

    await button.click();

    await expect(page).toHaveURL((url) => url.pathname === "/");
    await expect(page.getByText("US East").first()).toBeVisible();
    await expect(page.getByText("EU West").first()).toBeVisible();
    await expect(page.getByText("APAC Southeast").first()).toBeVisible();
  });

  test("a wrong password is answered on the page, not with a crash", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Email", { exact: true }).fill("nobody@example.com");
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    // Filtered: Next.js's route announcer is an alert too.
    await expect(page.getByRole("alert").filter({ hasText: "The email or password is wrong, or the account is disabled." })).toBeVisible();
    await expect(page).toHaveURL(/\/signin/);
  });

  test("a session revoked at sign-out is refused even when its cookie is replayed, and the page says it expired", async ({ page, context }) => {
    await signInAs(page.request, "admin");
    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie, "session cookie after sign-in").toBeDefined();
    await signOut(page.request);

    await context.addCookies([cookie!]);
    await page.goto("/admin");

    await expect(page).toHaveURL(/\/signin\?reason=expired/);
    await expect(page.getByRole("status")).toHaveText("Your session has expired or was ended. Sign in again to continue.");
    expect((await trpcQuery(page.request, "admin.users")).status()).toBe(401);
  });
});

test.describe("sign-out", () => {
  test("the header's sign-out button ends the session on the server", async ({ page }) => {
    await signInAs(page.request, "deployer");
    await page.goto("/");
    await expect(page.getByTestId("user-menu")).toContainText("Dana");

    await page.getByRole("button", { name: "Sign out" }).click();

    await expect(page).toHaveURL(/\/signin/);
    expect((await trpcQuery(page.request, "admin.users")).status()).toBe(401);
  });
});

test.describe("an admin manages roles", () => {
  test("ticking a role and saving it gives the user that role", async ({ page }) => {
    await signInAs(page.request, "admin");
    await page.goto("/admin");
    const row = page.getByTestId("user-row-demo-reviewer");
    try {
      await row.getByRole("checkbox", { name: "sre role for Rafael" }).check();
      const saved = page.waitForResponse((res) => res.url().includes("admin.setRoles"));
      await row.getByRole("button", { name: "Save" }).click();
      expect((await saved).status()).toBe(200);

      await expect(row.getByRole("checkbox", { name: "sre role for Rafael" })).toBeChecked();
      await expect(row.getByRole("button", { name: "Save" })).toBeDisabled();
      const users = await trpcData<Array<{ id: string; roles: string[] }>>(await trpcQuery(page.request, "admin.users"));
      expect(users.find((u) => u.id === "demo-reviewer")?.roles).toEqual(["reviewer", "sre"]);
    } finally {
      // Other specs rely on the seeded roles.
      await trpcMutation(page.request, "admin.setRoles", { userId: "demo-reviewer", roles: ["reviewer"] });
    }
  });

  test("an unknown role sent to the API is answered with a 400 that names it", async ({ request }) => {
    await signInAs(request, "admin");
    const res = await trpcMutation(request, "admin.setRoles", { userId: "demo-viewer", roles: ["viewer", "root"] });
    expect(res.status()).toBe(400);
    expect(await trpcErrorMessage(res)).toBe('roles[1]: unknown role "root": a role is one of viewer, deployer, reviewer, sre, admin');
  });
});

test.describe("roles are checked on the server", () => {
  test("a viewer opening the admin page sees which role it needs", async ({ page }) => {
    await signInAs(page.request, "viewer");
    await page.goto("/admin");

    await expect(page.getByRole("heading", { name: "You need the admin role to open this page" })).toBeVisible();
    await expect(page.getByRole("table")).toHaveCount(0);
  });

  test("a viewer's admin.setRoles call is refused with 403 and changes nothing", async ({ page, playwright, baseURL }) => {
    await signInAs(page.request, "viewer");
    const refused = await trpcMutation(page.request, "admin.setRoles", { userId: "demo-viewer", roles: ["admin"] });
    expect(refused.status()).toBe(403);
    expect(await trpcErrorMessage(refused)).toBe("Your role (viewer) does not allow users.manage.");

    const admin = await playwright.request.newContext({ baseURL });
    await signInAs(admin, "admin");
    const users = await trpcData<Array<{ id: string; roles: string[] }>>(await trpcQuery(admin, "admin.users"));
    expect(users.find((u) => u.id === "demo-viewer")?.roles).toEqual(["viewer"]);
    await admin.dispose();
  });

  test("without a session, a tRPC mutation and the users query answer 401", async ({ request }) => {
    const mutation = await trpcMutation(request, "admin.setRoles", { userId: "demo-viewer", roles: ["admin"] });
    expect(mutation.status()).toBe(401);
    expect(await trpcErrorMessage(mutation)).toBe("Sign in first: your session is missing or has expired.");
    expect((await trpcQuery(request, "admin.users")).status()).toBe(401);
  });
});
