/**
 * A button pressed on a Slack card (Approve, Reject, Pause, Roll back, Acknowledge), received at POST
 * /api/integrations/slack/actions. Slack signs each request with the app's signing secret; the Slack member who
 * pressed is mapped to the Flightdeck user who linked that member id on their settings page, and the press runs
 * the same verb as the dashboard (approveGate, rejectGate, pauseRegion, rollbackRegion) with that user as the
 * actor, so roles and separation of duty are the dashboard's, decided in one place.
 *
 * Identity: a block_actions payload carries the member's id, username and team, never an email, so there is no
 * verified email to match; only the explicit link counts (usernames are editable by their owner and prove nothing).
 *
 * Answer: the verb runs in milliseconds (one local transaction), so the work is done before the HTTP answer; the
 * card is then updated through the payload's `response_url` (Slack ignores a block_actions answer's body), with a
 * budget that keeps the whole exchange under Slack's 3 seconds. Refusals go to the presser only (ephemeral).
 */
import { z } from "zod";
import type { Actor } from "@/server/actor";
import { describeInactive, inactiveReason } from "@/server/auth/active-user";
import { decodeButtonValue, SLACK_ACTIONS_BLOCK_ID, slackActionOf, type SlackAction, type SlackButtonTarget } from "@/lib/slack-actions";
import { approveGate, rejectGate } from "./approvals";
import type { ServiceContext } from "./context";
import { forbidden, preconditionFailed, ServiceError } from "./errors";
import { acknowledgeIncident } from "./incidents";
import { pauseRegion, rollbackRegion } from "./region-commands";
import { verifySlackSignature } from "./slack-actions-signature";

/** Time left for the card update after the work, inside Slack's 3 s. */
const RESPONSE_URL_TIMEOUT_MS = 2000;

export type SlackActionsContext = Omit<ServiceContext, "actor"> & {
  signingSecret: string | undefined;
  /** Where the card update may be posted: Slack's hooks by default (tests point it at a local receiver). */
  responseUrlAllowed?: (url: URL) => boolean;
};

export type SlackActionRequest = { timestamp: string | null; signature: string | null; rawBody: string };
/** `problem`: the work was done, but the card could not be updated (the route logs it; Slack still gets its 200). */
export type SlackActionAnswer = { status: number; body: string; problem?: string };

const SlackBlockActions = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().min(1), username: z.string().optional(), team_id: z.string().optional() }),
  response_url: z.string().url(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
  message: z.object({ text: z.string().optional(), blocks: z.array(z.record(z.string(), z.unknown())).optional() }).optional(),
});
type SlackBlockActions = z.infer<typeof SlackBlockActions>;

const slackHooks = (url: URL) => url.protocol === "https:" && url.hostname === "hooks.slack.com";

export async function receiveSlackAction(ctx: SlackActionsContext, request: SlackActionRequest): Promise<SlackActionAnswer> {
  if (!ctx.signingSecret) return { status: 404, body: "Slack buttons are off: set SLACK_SIGNING_SECRET to the Slack app's signing secret." };
  const signed = verifySlackSignature({ secret: ctx.signingSecret, ...request, nowMs: ctx.clock.now() });
  if (!signed.ok) return { status: 401, body: signed.message };

  const payload = parsePayload(request.rawBody);
  if (!payload) return { status: 400, body: "Expected a form field `payload` holding a block_actions interaction." };
  const responseUrl = new URL(payload.response_url);
  if (!(ctx.responseUrlAllowed ?? slackHooks)(responseUrl)) return { status: 400, body: "response_url is not a Slack hooks URL." };

  const reply = await decide(ctx, payload);
  const problem = await postToSlack(responseUrl, reply);
  return { status: 200, body: "", ...(problem ? { problem } : {}) };
}

function parsePayload(rawBody: string): SlackBlockActions | null {
  const field = new URLSearchParams(rawBody).get("payload");
  if (!field) return null;
  try {
    const parsed = SlackBlockActions.safeParse(JSON.parse(field));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

type SlackReply = Record<string, unknown>;

const ephemeral = (text: string): SlackReply => ({ response_type: "ephemeral", replace_original: false, text });

/** Who pressed, what they asked, the verb run as them: the card update, or the explanation only they see. */
async function decide(ctx: SlackActionsContext, payload: SlackBlockActions): Promise<SlackReply> {
  const [pressed] = payload.actions;
  const action = slackActionOf(pressed.action_id);
  const target = decodeButtonValue(pressed.value);
  if (!action || !target) return ephemeral("This button was not made by Flightdeck, or by an older version of it: use the dashboard.");

  const actor = await actorOfSlackUser(ctx, payload.user.id);
  if (typeof actor === "string") return ephemeral(actor);
  try {
    const did = await run({ ...ctx, actor }, action, target);
    return updatedCard(payload, `${actor.name} (<@${payload.user.id}>) ${did}`, action === "reject" || action === "rollback", ctx.clock.now());
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    return ephemeral(`Flightdeck refused this for you (${actor.name}, ${actor.roles.join(", ") || "no role"}): ${err.message}`);
  }
}

/** The Flightdeck user linked to this Slack member, or the sentence telling them why there is none. */
async function actorOfSlackUser(ctx: SlackActionsContext, slackUserId: string): Promise<Actor | string> {
  const link = await ctx.db.slackLinks.bySlackUser(slackUserId);
  const user = link ? await ctx.db.users.byId(link.userId) : undefined;
  if (!link || !user) {
    return `Your Slack account (member id ${slackUserId}) is not linked to a Flightdeck user, so Flightdeck cannot tell who you are and did nothing. Sign in to Flightdeck, open Settings → Slack, paste ${slackUserId} there, then press the button again.`;
  }
  const inactive = inactiveReason(user, ctx.config.demo);
  if (inactive) return `${describeInactive(user.name, inactive)}; Flightdeck did nothing.`;
  return { kind: "user", id: user.id, name: user.name, roles: await ctx.db.users.roles(user.id) };
}

/** The dashboard's verb for the button, as the presser; returns what they did, in words. */
async function run(ctx: ServiceContext, action: SlackAction, target: SlackButtonTarget): Promise<string> {
  switch (action) {
    case "approve":
      return lowerYou((await approveGate(ctx, target)).message);
    case "reject":
      return lowerYou((await rejectGate(ctx, target)).message);
    case "pause":
      await pauseRegion(ctx, { ...target, reason: "paused from Slack" });
      return `paused ${target.regionId}: it holds where it is until someone resumes it.`;
    case "rollback": {
      const rollout = await ctx.db.rollouts.byId(target.rolloutId);
      if (!rollout) throw preconditionFailed(`Rollout ${target.rolloutId} does not exist any more.`);
      // The dashboard's rollback takes the region's latest rollout of the service: refuse if that is not this card's.
      const latest = await ctx.db.regionRollouts.latestForServiceRegion(rollout.serviceId, target.regionId);
      if (latest && latest.rolloutId !== target.rolloutId) {
        throw forbidden(`a newer rollout of ${rollout.serviceId} holds ${target.regionId} now; roll it back from the dashboard if that is what you mean.`);
      }
      await rollbackRegion(ctx, { serviceId: rollout.serviceId, regionId: target.regionId });
      return `rolled back ${target.regionId}: traffic goes back to the old colour.`;
    }
    case "acknowledge":
      await acknowledgeIncident(ctx, target);
      return `acknowledged the incident in ${target.regionId}: no ticket or page follows.`;
  }
}

/** The verbs answer the person who acted ("You approved …"); the card tells everyone ("Ada approved …"). */
function lowerYou(message: string): string {
  return message.replace(/^You /, "");
}

/**
 * The card as it was, plus a line saying who did what and when; the buttons go when the card's question is
 * settled (a rejection, a rollback), and stay otherwise (a gate may need a second reviewer; a pause may be followed
 * by a rollback).
 */
function updatedCard(payload: SlackBlockActions, line: string, settled: boolean, nowMs: number): SlackReply {
  const when = new Date(nowMs).toISOString().slice(11, 16);
  const blocks = (payload.message?.blocks ?? []).filter((b) => !(settled && b.block_id === SLACK_ACTIONS_BLOCK_ID));
  const note = { type: "context", elements: [{ type: "mrkdwn", text: `${line} (${when} UTC)` }] };
  const at = blocks.findIndex((b) => b.block_id === SLACK_ACTIONS_BLOCK_ID);
  if (at >= 0) blocks.splice(at, 0, note);
  else blocks.push(note);
  return { replace_original: true, text: payload.message?.text ?? line, blocks };
}

/** Post the reply; a failure is returned in words (the verb already ran: nothing to undo). */
async function postToSlack(url: URL, body: SlackReply): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
    });
    return res.ok ? null : `Slack's response_url answered ${res.status} to the reply.`;
  } catch (err) {
    return `Slack's response_url could not be reached: ${err instanceof Error ? err.message : String(err)}.`;
  }
}
