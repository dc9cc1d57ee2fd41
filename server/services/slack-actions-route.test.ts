/** The route only adapts: it hands Slack's headers and the raw body to the service, unchanged, and answers what it says. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/integrations/slack/actions/route";
import { freshProcessDatabase, type ProcessFixture } from "./ci-webhook.fixtures";
import { signSlackRequest } from "./slack-actions-signature";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
let f: ProcessFixture;
beforeEach(() => {
  f = freshProcessDatabase();
  process.env.SLACK_SIGNING_SECRET = SECRET;
});
afterEach(() => {
  delete process.env.SLACK_SIGNING_SECRET;
  f.cleanup();
});

const payload = (responseUrl: string) =>
  `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", user: { id: "U0X" }, response_url: responseUrl, actions: [{ action_id: "flightdeck.approve", value: "{}" }] }))}`;
const post = (body: string, signature: string, timestamp = String(Math.floor(Date.now() / 1000))) =>
  POST(
    new Request("http://localhost/api/integrations/slack/actions", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": timestamp, "x-slack-signature": signature },
      body,
    }),
  );

describe("POST /api/integrations/slack/actions (route)", () => {
  it("answers 401 to a signature that does not match", async () => {
    const res = await post(payload("https://hooks.slack.com/actions/T/1/x"), `v0=${"0".repeat(64)}`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("does not match");
  });

  it("passes the exact bytes on (the signature matches) and refuses a response_url that is not Slack's", async () => {
    const body = payload("http://127.0.0.1:9/elsewhere");
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await post(body, signSlackRequest(SECRET, timestamp, body), timestamp);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("not a Slack hooks URL");
  });

  it("answers 404 while no Slack app is configured", async () => {
    delete process.env.SLACK_SIGNING_SECRET;
    expect((await post(payload("https://hooks.slack.com/actions/T/1/x"), "v0=x")).status).toBe(404);
  });
});
