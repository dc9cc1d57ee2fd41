/**
 * Slack's interactivity Request URL (docs/notifications.md "Slack app: buttons"): authenticated by Slack's
 * request signature, not by a session or token. The route only adapts; the checks and the verbs are in
 * server/services/slack-actions.ts.
 */
import { processContext, readBodyWithLimit } from "@/server/api/http";
import { serverEnv } from "@/server/config/env";
import { realClock } from "@/server/engine/clock";
import { logger } from "@/server/log";
import { receiveSlackAction } from "@/server/services/slack-actions";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 64 * 1024;

export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readBodyWithLimit(request, MAX_BODY_BYTES);
    if (!body.ok) return new Response("The body is too large for a Slack interaction.", { status: 413 });
    const answer = await receiveSlackAction(
      { ...processContext(), clock: realClock, signingSecret: serverEnv().SLACK_SIGNING_SECRET },
      { timestamp: request.headers.get("x-slack-request-timestamp"), signature: request.headers.get("x-slack-signature"), rawBody: body.text },
    );
    if (answer.status >= 400) logger.warn({ status: answer.status, reason: answer.body }, "Slack action refused");
    if (answer.problem) logger.warn({ problem: answer.problem }, "Slack action done, reply not delivered");
    return new Response(answer.body, { status: answer.status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  } catch (err) {
    logger.error({ err }, "Slack action: unexpected error");
    return new Response("Flightdeck could not handle this action; it has been logged.", { status: 500 });
  }
}
