import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { deliverDueNotifications } from "@/server/engine/outbox/sender";
import { notifyHarness } from "@/server/engine/outbox/test-notify-fixtures";
import { addUser, demoConfig, DIGEST_A, type Harness } from "@/server/engine/runner/test-fixtures";
import { startRollout } from "@/server/services/rollouts";

let h: Harness;
let rolloutId: string;

beforeEach(async () => {
  h = notifyHarness();
  const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  rolloutId = (
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    })
  ).rolloutId;
});
afterEach(() => {
  h.cleanup();
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
});

const callerFor = (user: SessionUser | null) => createCaller({ db: h.db, user, headers: new Headers() });
const viewer = () => callerFor({ id: "vic", email: "vic@example.test", name: "Vic", roles: ["viewer"] });

describe("notifications router", () => {
  it("shows a viewer the rollout's card that Teams refused, with the error and the attempt", async () => {
    // Teams answers 404 (the workflow was deleted): a 4xx fails at once.
    const fetchImpl: typeof fetch = async () => new Response("no_service", { status: 404 });
    await deliverDueNotifications({
      db: h.db,
      config: h.config,
      env: { GLOBAL_TEAMS_WEBHOOK: "https://teams.example.test/hook" },
      now: () => h.clock.now(),
      fetchImpl,
    });

    const list = await viewer().notifications.forRollout({ rolloutId });
    expect(list.cards).toHaveLength(1);
    expect(list.cards[0]).toMatchObject({
      channel: { id: "deployments", name: "#deployments", kind: "teams", purpose: "deployments" },
      cardKind: "rollout-started",
      event: { type: "rollout.started" },
      status: "failed",
      attempts: 1,
      lastError: "HTTP 404: no_service",
      sentAt: null,
    });
    expect(list.counts).toMatchObject({ failed: 1, pending: 0, sent: 0 });
    expect(list.awaitingDelivery).toBe(false);
  });

  it("asks for sign-in, a role, a valid id and an existing rollout", async () => {
    await expect(callerFor(null).notifications.forRollout({ rolloutId })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(callerFor({ id: "x", email: "x@example.test", name: "X", roles: [] }).notifications.forRollout({ rolloutId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(viewer().notifications.forRollout({ rolloutId: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(viewer().notifications.forRollout({ rolloutId: "r_missing" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "There is no rollout r_missing.",
    });
  });
});
