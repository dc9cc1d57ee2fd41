import { afterEach, describe, expect, it } from "vitest";
import { notificationOutbox } from "@/db/schema";
import { setConfig } from "@/server/config";
import { ENGINE, type Actor } from "@/server/actor";
import { approveGate } from "@/server/services/approvals";
import { listPendingGates } from "@/server/services/approvals-pending";
import { registerArtifactIn } from "@/server/services/artifacts";
import { startRollout } from "@/server/services/rollouts";
import { addUser, approveWaitingGates, DIGEST_A, DIGEST_B, demoConfig, eventsOf, phases, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { enqueueNotifications, GROUP_WINDOW_MS } from "./enqueue";
import { notifyHarness } from "./test-notify-fixtures";

let h: Harness;
afterEach(() => {
  h?.cleanup();
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
});

const outbox = () => h.db.raw.select().from(notificationOutbox).all();
const slackLines = (payload: unknown) =>
  (payload as { blocks: Array<{ type: string; text?: { text: string } }> }).blocks.filter((b) => b.type === "section")[0].text!.text.split("\n");

function people() {
  return {
    dana: addUser(h.db, "dana", "Dana", ["deployer"]),
    reviewers: [addUser(h.db, "rafael", "Rafael", ["reviewer"]), addUser(h.db, "sam", "Sam", ["sre"])] as Actor[],
  };
}

describe("cards written with their events", () => {
  it("a breach at EU West's 25 % stage writes one incident card naming the error rate, and no card per sample", async () => {
    h = notifyHarness({ faultAt25: true });
    const { dana, reviewers } = people();
    const started = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["eu-west"],
    });
    expect(outbox().map((r) => [r.kind, r.channelId, r.status])).toEqual([["rollout-started", "deployments", "pending"]]);

    await runUntil(
      h,
      () => phases(h.db)["eu-west"] === "rolled_back",
      () => approveWaitingGates(h, reviewers, approveGate),
    );

    const rolledBack = eventsOf(h.db, { type: "region.rolled_back" })[0];
    const incident = outbox().filter((r) => r.kind === "incident");
    expect(incident).toHaveLength(1);
    expect(incident[0]).toMatchObject({ eventId: rolledBack.id, channelId: "incidents", status: "pending", attempts: 0 });
    const lines = slackLines(incident[0].payload);
    expect(lines[0]).toBe("• *Region:* EU West");
    expect(lines[1]).toBe("• *Stage:* Canary rollout at 25%");
    expect(lines[2]).toBe("• *Impact:* Rollback triggered, traffic routed to Blue");
    expect(lines[3]).toBe("• *Cause:* Error rate 1.2% &gt; 0.8% threshold");
    expect(lines[4]).toMatch(/^• \*Error Rate:\* 1\.2% \| Latency P95: \d+(\.\d+)?ms$/);
    expect(lines[5]).toMatch(/^• \*Status:\* ✅ Rollback done in \d+ s$/);
    const payload = JSON.stringify(incident[0].payload);
    expect(payload).toContain(`/rollouts/${started.rolloutId}`);
    expect(payload).toContain("https://docs.example.com/debugging-guide#error-rate-breach");
    expect(payload).toContain(started.correlationId);
    expect(payload).toContain("correlation_id%3D" + started.correlationId);

    // Samples and stage moves make no card: every row belongs to an event type that calls for one.
    const cardEvents = new Set(outbox().map((r) => r.eventId));
    const samplesTaken = eventsOf(h.db).filter((e) => e.type.startsWith("stage.") || e.type.startsWith("analysis."));
    expect(samplesTaken.length).toBeGreaterThan(0);
    expect(samplesTaken.some((e) => cardEvents.has(e.id))).toBe(false);
    expect(
      outbox()
        .map((r) => r.kind)
        .sort(),
    ).toEqual(["approval-needed", "incident", "rollout-finished", "rollout-started"]);
  });

  it("the Teams deployments channel gets Adaptive Cards, and no card holds a webhook URL", async () => {
    process.env.GLOBAL_TEAMS_WEBHOOK = "https://example.test/secret-hook-123";
    h = notifyHarness();
    const { dana } = people();
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    const [row] = outbox();
    expect(row.payload).toMatchObject({
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard", version: "1.5" } }],
    });
    expect(JSON.stringify(row.payload)).not.toContain("secret-hook-123");
    delete process.env.GLOBAL_TEAMS_WEBHOOK;
  });

  it("a transaction that fails writes neither the event nor its card", async () => {
    h = notifyHarness();
    const { dana } = people();
    const started = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    const before = outbox().length;
    await expect(
      h.db.transaction(async (tx) => {
        const [e] = await tx.events.insertAll([
          {
            at: 1,
            type: "deploy.failed",
            actor: "engine",
            message: "x",
            rolloutId: started.rolloutId,
            regionId: "us-east",
            correlationId: started.correlationId,
            data: { error: "boom" },
          },
        ]);
        expect(await enqueueNotifications(tx, h.config, e)).toBe(1);
        throw new Error("crash before commit");
      }),
    ).rejects.toThrow("crash before commit");
    expect(outbox()).toHaveLength(before);
  });
});

describe("the approval card's migrations", () => {
  /** The facts of the Teams approval card (the deployments channel) of a rollout. */
  const approvalFacts = (rolloutId: string) => {
    const gate = eventsOf(h.db, { type: "gate.opened" }).find((e) => e.rolloutId === rolloutId)!;
    const row = outbox().find((r) => r.eventId === gate.id && r.kind === "approval-needed")!;
    const card = (row.payload as { attachments: Array<{ content: { body: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> } }> })
      .attachments[0].content;
    return card.body.find((b) => b.type === "FactSet")!.facts!;
  };
  const atGate = (regionId: string) => runUntil(h, () => phases(h.db)[regionId] === "awaiting_approval");

  it("names each migration with its class and, for a contract one, the live release that tolerates it, as the approval page judges it", async () => {
    h = notifyHarness();
    const { dana } = people();
    // 1.4.1 live in us-east declares readyFor 1.5.0: the expand/contract pattern's first half.
    await h.db.transaction(async (tx) => {
      const { artifact } = await registerArtifactIn(
        tx,
        { config: h.config, actor: ENGINE },
        { serviceId: "api", version: "1.4.1", digest: DIGEST_B, manifest: { migrations: [], readyFor: "1.5.0" } },
        h.clock.now(),
      );
      await tx.regions.setLiveArtifactWhereNone("api", artifact.id, h.clock.now());
    });
    const migrations = [
      { id: "0041_add_display_name", class: "expand" as const, description: "add column users.display_name" },
      { id: "0042_drop_legacy_name", class: "contract" as const, description: "drop column users.legacy_name" },
    ];
    const started = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.5.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123abc", manifest: { migrations } },
      strategy: "parallel",
      regions: ["us-east"],
    });
    await atGate("us-east");

    const facts = approvalFacts(started.rolloutId);
    expect(facts.find((f) => f.title === "Migrations")).toEqual({
      title: "Migrations",
      value: "0041_add_display_name (expand), 0042_drop_legacy_name (contract, tolerated by 1.4.1)",
    });
    // The approval page shows the same migrations and the same verdict for the region.
    const [pending] = await listPendingGates(h.as(dana));
    expect(pending.schemaCheck?.migrations.map((m) => `${m.id} ${m.class}`)).toEqual(["0041_add_display_name expand", "0042_drop_legacy_name contract"]);
    expect(pending.schemaCheck?.regions).toEqual([{ regionId: "us-east", liveVersion: "1.4.1", readyFor: "1.5.0", ok: true }]);
    // The descriptions stay on the dashboard: the card carries no free text of the manifest.
    const cards = JSON.stringify(outbox().map((r) => r.payload));
    for (const m of migrations) expect(cards).not.toContain(m.description);
  });

  it("a release without a manifest shows nothing extra on its approval card", async () => {
    h = notifyHarness();
    const { dana } = people();
    const started = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123abc" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    await atGate("us-east");
    expect(approvalFacts(started.rolloutId).map((f) => f.title)).toEqual(["Region", "Release", "Waiting for"]);
  });
});

describe("stages on hold for a person", () => {
  it.each([
    ["analysis.unjudged", "inconclusive-analysis"],
    ["analysis.environment_problem", "environment-problem"],
  ])("%s makes an alert card on the incidents channel that links to the runbook #%s", async (type, anchor) => {
    h = notifyHarness();
    const { dana } = people();
    const started = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["eu-west"],
    });
    const message =
      "eu-west: the 25 % stage ran 5 min past its 5 min and is still not judged: 6 of its 10 expected samples were judged (60 %), 8 needed (4 inconclusive: 4 with no data).";
    const id = await h.db.transaction(async (tx) => {
      const [e] = await tx.events.insertAll([
        {
          at: 1_000_000,
          type,
          actor: "engine",
          message,
          rolloutId: started.rolloutId,
          regionId: "eu-west",
          correlationId: started.correlationId,
          data: { percent: 25, alert: true },
        },
      ]);
      await enqueueNotifications(tx, h.config, e);
      return e.id;
    });
    const [card] = outbox().filter((r) => r.eventId === id);
    expect(card).toMatchObject({ kind: "analysis-inconclusive", channelId: "incidents", status: "pending" });
    expect(JSON.stringify(card.payload)).toContain(`debugging-guide#${anchor}`);
    expect(JSON.stringify(card.payload)).toContain("6 of its 10 expected samples were judged");
  });
});

describe("repeats of the same alert", () => {
  /** A rollout in every region, and a way to write one `traffic.failed` event of it with its cards. */
  async function failingRollout() {
    h = notifyHarness();
    const { dana } = people();
    const started = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: "all",
    });
    const fail = (at: number, regionId: string, data: Record<string, unknown>) =>
      h.db.transaction(async (tx) => {
        const [e] = await tx.events.insertAll([
          {
            at,
            type: "traffic.failed",
            actor: "engine",
            message: "x",
            rolloutId: started.rolloutId,
            regionId,
            correlationId: started.correlationId,
            data,
          },
        ]);
        await enqueueNotifications(tx, h.config, e);
        return e.id;
      });
    return { started, fail };
  }

  it("are grouped within 10 minutes per region and kind, and sent again after", async () => {
    const { started, fail: failWith } = await failingRollout();
    const fail = (at: number, regionId: string) => failWith(at, regionId, { error: "socket closed", canaryPct: 10 });
    const t = 1_000_000;
    const ids = [
      await fail(t, "eu-west"),
      await fail(t + 60_000, "eu-west"),
      await fail(t + 120_000, "us-east"),
      await fail(t + GROUP_WINDOW_MS + 1, "eu-west"),
    ];
    const statusOf = (id: number) => outbox().find((r) => r.eventId === id)!.status;
    expect(ids.map(statusOf)).toEqual(["pending", "grouped", "pending", "pending"]);
    expect(outbox().find((r) => r.eventId === ids[0])!.groupKey).toBe(`${started.rolloutId}/eu-west/provider-failure`);
  });

  it("but a failing rollback's reminders, spaced 5 minutes apart by the engine, are each sent and link to the rollback retrying runbook", async () => {
    const { fail: failWith } = await failingRollout();
    const fail = (at: number, rollbackAttempts: number) => failWith(at, "eu-west", { error: "socket closed", canaryPct: 25, rollbackAttempts, alert: true });
    const t = 1_000_000;
    const ids = [await fail(t, 1), await fail(t + 5 * 60_000, 6)];
    const rows = ids.map((id) => outbox().find((r) => r.eventId === id)!);
    expect(rows.map((r) => r.status)).toEqual(["pending", "pending"]);
    expect(JSON.stringify(rows[1].payload)).toContain("debugging-guide#rollback-retrying");
  });
});
