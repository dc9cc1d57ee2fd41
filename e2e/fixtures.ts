/**
 * Shared e2e helpers: sign in as a seeded demo user over HTTP (next-auth's CSRF token, then the demo provider's
 * callback), so a spec starts signed in without clicking through the sign-in page. The server runs the e2e fleet
 * in demo mode (scripts/e2e-server.mjs), so the demo users exist.
 */
import { expect, type APIRequestContext, type APIResponse, type Browser, type BrowserContext } from "@playwright/test";

export const DEMO_USERS = {
  viewer: { id: "demo-viewer", name: "Vera" },
  deployer: { id: "demo-deployer", name: "Dana" },
  reviewer: { id: "demo-reviewer", name: "Rafael" },
  sre: { id: "demo-sre", name: "Sam" },
  admin: { id: "demo-admin", name: "Ada" },
} as const;
export type DemoRole = keyof typeof DEMO_USERS;

/** The session cookie over plain http (https would prefix it with __Secure-). */
export const SESSION_COOKIE = "next-auth.session-token";

async function csrfToken(request: APIRequestContext): Promise<string> {
  const res = await request.get("/api/auth/csrf");
  expect(res.status(), "GET /api/auth/csrf").toBe(200);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

/** Signs the request context (use `page.request` to sign the page in too) in as the demo user of this role. */
export async function signInAs(request: APIRequestContext, role: DemoRole): Promise<void> {
  const res = await request.post("/api/auth/callback/demo", {
    form: { csrfToken: await csrfToken(request), userId: DEMO_USERS[role].id, callbackUrl: "/", json: "true" },
  });
  expect(res.status(), `demo sign-in as ${role}: ${await res.text()}`).toBe(200);
}

export async function signOut(request: APIRequestContext): Promise<void> {
  const res = await request.post("/api/auth/signout", { form: { csrfToken: await csrfToken(request), callbackUrl: "/signin", json: "true" } });
  expect(res.status(), "sign-out").toBe(200);
}

/** A tRPC mutation as a plain HTTP POST with a superjson body, as the browser's client sends it (unbatched). */
export function trpcMutation(request: APIRequestContext, path: string, input: unknown): Promise<APIResponse> {
  return request.post(`/api/trpc/${path}`, { data: { json: input } });
}

/** A tRPC query without input as a plain HTTP GET. */
export function trpcQuery(request: APIRequestContext, path: string): Promise<APIResponse> {
  return request.get(`/api/trpc/${path}`);
}

/** The `result.data.json` of a tRPC answer. */
export async function trpcData<T>(res: APIResponse): Promise<T> {
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** The `error.json.message` of a tRPC error answer. */
export async function trpcErrorMessage(res: APIResponse): Promise<string> {
  return ((await res.json()) as { error: { json: { message: string } } }).error.json.message;
}

/** The contexts the spec's tests signed in, closed by `closeSignedIn()` in its afterEach: no page keeps a live feed open into the next test. */
const signedIn: BrowserContext[] = [];

/** A new browser context signed in as the demo user of this role. */
export async function contextAs(browser: Browser, role: DemoRole): Promise<BrowserContext> {
  const context = await browser.newContext();
  signedIn.push(context);
  await signInAs(context.request, role);
  return context;
}

export const requestAs = async (browser: Browser, role: DemoRole): Promise<APIRequestContext> => (await contextAs(browser, role)).request;

/** A reviewer and an SRE approve the region's gate of the rollout as soon as it stands there. */
export async function approveGate(browser: Browser, rolloutId: string, regionId: string): Promise<void> {
  for (const role of ["reviewer", "sre"] as const) {
    const reviewer = await requestAs(browser, role);
    await expect(async () => {
      const approved = await trpcMutation(reviewer, "approvals.approve", { rolloutId, regionId });
      expect(approved.status(), await approved.text()).toBe(200);
    }).toPass({ timeout: 20_000 });
  }
}

export async function closeSignedIn(): Promise<void> {
  await Promise.all(signedIn.splice(0).map((c) => c.close()));
}

/** A region's phase in a rollout, as the rollout page reads it. */
export async function phaseOf(request: APIRequestContext, rolloutId: string, regionId: string): Promise<string> {
  const res = await request.get(`/api/trpc/rollouts.get?input=${encodeURIComponent(JSON.stringify({ json: { id: rolloutId } }))}`);
  const view = await trpcData<{ regions: Array<{ regionId: string; phase: string }> }>(res);
  return view.regions.find((r) => r.regionId === regionId)!.phase;
}

/**
 * A fresh build of api started in us-east with the demo fault at 10 % (5 % errors), approved by a reviewer and an
 * SRE, and rolled back by the engine for the breach (so quarantined). Pair it with `clearFaultsAndQuarantines`.
 */
export async function breachRolledBackInUsEast(browser: Browser, versionPrefix: string): Promise<{ rolloutId: string; version: string }> {
  const stamp = Date.now().toString(16).padStart(16, "0");
  const version = `${versionPrefix}.${stamp}`;
  const sre = await requestAs(browser, "sre");
  const fault = await trpcMutation(sre, "demo.injectFault", { regionId: "us-east", stagePercent: 10, errorRatePct: 5 });
  expect(fault.status(), await fault.text()).toBe(200);

  const deployer = await requestAs(browser, "deployer");
  const artifact = { version, digest: `sha256:${stamp.repeat(4)}`, sourceRef: "refs/heads/main", commitSha: "0123abc" };
  const started = await trpcMutation(deployer, "rollouts.start", { serviceId: "api", artifact, strategy: "parallel", regions: ["us-east"] });
  expect(started.status(), await started.text()).toBe(200);
  const { rolloutId } = await trpcData<{ rolloutId: string }>(started);
  await approveGate(browser, rolloutId, "us-east");
  await expect(async () => expect(await phaseOf(sre, rolloutId, "us-east")).toBe("rolled_back")).toPass({ intervals: [1_000], timeout: 45_000 });
  return { rolloutId, version };
}

/** After `breachRolledBackInUsEast`: the fault cleared and every quarantine lifted, so the next spec starts nothing quarantined. */
export async function clearFaultsAndQuarantines(browser: Browser, reason: string): Promise<void> {
  const sre = await requestAs(browser, "sre");
  await trpcMutation(sre, "demo.clearFaults", { regionId: "us-east" });
  const listed = await sre.get(`/api/trpc/quarantine.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
  for (const q of (await trpcData<{ quarantines: Array<{ id: string }> }>(listed)).quarantines)
    await trpcMutation(sre, "quarantine.lift", { id: q.id, reason });
}
