/**
 * Slack under faults, during a real rollout on the lab: the deployments channel's webhook is a receiver on
 * 127.0.0.1 (lab/faults/slack-receiver.ts) that answers 429 with a Retry-After, then 500, then hangs, then
 * recovers. The rollout never waits on Slack and ends green; the sender waits as long as Retry-After says, backs
 * off on 500, gives up on a hung POST at its time limit, and each card is taken once, the one after the hang
 * marked "possible repeat" (that POST may have arrived: docs/notifications.md). Every outbox row ends sent.
 */
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { notificationOutbox } from "@/db/schema";
import { rollOutRegion } from "@/lab/faults/fault-test-support";
import { startSlackReceiver, type SlackReceiver } from "@/lab/faults/slack-receiver";
import { haproxyWeights, labTestConfig, startFlightdeck, startLabOnFreePorts, waitFor, type LabFlightdeck } from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import { tempLabDir } from "@/lab/test-support";
import { startNotificationSender, type SenderLoop } from "@/server/engine/outbox/sender-loop";

const dir = tempLabDir();
let lab: RunningLab;
let flightdeck: LabFlightdeck | null = null;
let receiver: SlackReceiver | null = null;
let sender: SenderLoop | null = null;

beforeAll(async () => {
  lab = await startLabOnFreePorts(dir);
}, 90_000);

afterEach(async () => {
  await sender?.stop();
  await flightdeck?.stop();
  await receiver?.stop();
  flightdeck = receiver = sender = null;
});

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a Slack webhook that answers 429, 500, then hangs", () => {
  it("the rollout ends green regardless; Retry-After is honoured, and every card is taken once (the one after the hang marked a possible repeat)", async () => {
    receiver = await startSlackReceiver();
    const config = labTestConfig(lab, { stageSeconds: [2, 2, 2, 2, 2] });
    config.notifications.channels = [{ id: "deploys", kind: "slack", purpose: "deployments", webhookUrlEnv: "LAB_SLACK_DEPLOYS_URL", name: "#deploys" }];
    const fd = await startFlightdeck(lab, config);
    flightdeck = fd;
    const env = { LAB_SLACK_DEPLOYS_URL: receiver.url };
    sender = startNotificationSender({ db: fd.db, config, env, intervalMs: 200, timeoutMs: 1_500, baseBackoffMs: 1_000, maxBackoffMs: 2_000 });

    receiver.setFault({ status429RetryAfterSeconds: 2 });
    const run = await rollOutRegion(fd, lab, dir, "us-east", "7.0.0");
    const r = receiver;
    const posted = (n: number) =>
      waitFor(
        `${n} POSTs to Slack`,
        () => r.posts.length >= n,
        15_000,
        () => r.posts.map((p) => [p.key, p.answer]),
      );
    await posted(1);
    r.setFault("http-500");
    await posted(2);
    r.setFault("hang");
    await posted(3);
    r.setFault("none");

    const done = await waitFor("us-east to succeed", () => run.row().finishedAt !== null && run.row(), 60_000, run.state);
    expect(done.phase).toBe("succeeded");
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 0, green: 100 });

    // The deploys channel's rows (the lab's Pushgateway pushes go through the same outbox).
    const rows = () =>
      fd.db.raw
        .select()
        .from(notificationOutbox)
        .all()
        .filter((row) => row.channelId === "deploys");
    await waitFor(
      "every card sent",
      () => rows().length >= 3 && rows().every((row) => row.status === "sent"),
      20_000,
      () => rows().map((row) => [row.id, row.status, row.lastError]),
    );

    const [first, second, third, fourth] = r.posts;
    const key = first.key!;
    expect(first.text).toContain("7.0.0");
    expect([first, second, third, fourth].map((p) => [p.key, p.answer, p.possibleRepeat])).toEqual([
      [key, 429, false],
      [key, 500, false],
      [key, "hung", false],
      [key, 200, true],
    ]);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_950); // Retry-After: 2
    expect(fourth.at - third.at).toBeGreaterThanOrEqual(1_450); // the hung POST's time limit, then a retry

    // Each card (rollout started, us-east succeeded, rollout finished) taken exactly once; only the one after the hang is marked.
    const accepted = r.accepted();
    expect(accepted.size).toBe(rows().length);
    for (const [k, taken] of accepted) {
      expect(taken, k).toHaveLength(1);
      expect(taken[0].possibleRepeat, k).toBe(k === key);
    }
    expect(r.posts.filter((p) => p.key !== key).every((p) => p.answer === 200)).toBe(true);
  }, 90_000);
});
