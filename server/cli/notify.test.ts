import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { CHANNELS } from "@/server/engine/outbox/test-notify-fixtures";
import { startReceiver } from "@/server/engine/outbox/test-receiver";
import type { CliIo } from "./io";
import { runNotify } from "./notify";
import { ArgumentError } from "./simulate-args";

let dir: string;
let closers: Array<() => Promise<void>>;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-notify-cli-"));
  closers = [];
});
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  rmSync(dir, { recursive: true, force: true });
});

function configFile(channels: unknown[]): string {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.notifications = { channels };
  const file = path.join(dir, "fleet.json.yaml");
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

function fakeIo(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env, tty: false, sleep: async () => undefined };
  return { io, out, err };
}

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  closers.push(r.close);
  return r;
}

describe("flightdeck notify test", () => {
  it("sends the spec's example incident to every webhook of the purpose and reports each answer", async () => {
    const slack = await receiver([{ status: 200, body: "ok" }]);
    const file = configFile([CHANNELS[0], { ...CHANNELS[1], purpose: "incidents" }]);
    const teams = await receiver([{ status: 500, body: "workflow error" }]);
    const { io, out } = fakeIo({ SLACK_WEBHOOK_URL: slack.url, GLOBAL_TEAMS_WEBHOOK: teams.url });

    expect(await runNotify(["test", "--channel", "incidents", "--config", file], io)).toBe(1);
    expect(out).toEqual([
      'sent  incidents (slack, incidents, #incidents-deployments): HTTP 200 "ok"',
      'FAIL  deployments (teams, incidents, #deployments): HTTP 500 "workflow error"',
      "1 of 2 webhook(s) failed.",
    ]);
    const slackText = JSON.stringify(slack.received[0].body);
    expect(slackText).toContain("EU West");
    expect(slackText).toContain("Canary rollout at 25%");
    expect(slackText).toContain("Error rate 1.2% &gt; 0.8% threshold");
    expect(slackText).toContain("1.2% | Latency P95: 420ms");
    expect(teams.received[0].body).toMatchObject({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive" }] });
    expect(teams.received).toHaveLength(1); // one attempt: the answer is reported, not retried
  });

  it("exits 0 with --json when every webhook answered 2xx, and only the chosen purpose is sent", async () => {
    const slack = await receiver([]);
    const teams = await receiver([]);
    const file = configFile(CHANNELS);
    const { io, out } = fakeIo({ SLACK_WEBHOOK_URL: slack.url, GLOBAL_TEAMS_WEBHOOK: teams.url });
    expect(await runNotify(["test", "--channel", "deployments", "--json", "--config", file], io)).toBe(0);
    expect(JSON.parse(out.join("\n"))).toMatchObject({ ok: true, results: [{ channelId: "deployments", ok: true, status: 200 }] });
    expect(slack.received).toHaveLength(0);
    expect(teams.received).toHaveLength(1);
  });

  it("says clearly when no channel is configured, or its variable is not set", async () => {
    const { io, err } = fakeIo({});
    expect(await runNotify(["test", "--config", configFile([])], io)).toBe(1);
    expect(err[0]).toMatch(/no notification channel is configured in .*: add one under notifications.channels/);

    const second = fakeIo({});
    expect(await runNotify(["test", "--channel", "incidents", "--config", configFile(CHANNELS)], second.io)).toBe(1);
    expect(second.out[0]).toBe("FAIL  incidents (slack, incidents, #incidents-deployments): environment variable SLACK_WEBHOOK_URL is not set");
  });

  it("refuses unknown arguments", async () => {
    const { io } = fakeIo({});
    await expect(runNotify(["send"], io)).rejects.toThrow(ArgumentError);
    await expect(runNotify(["test", "--channel", "ops"], io)).rejects.toThrow("--channel: expected incidents or deployments");
  });
});
