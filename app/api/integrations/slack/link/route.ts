/**
 * The signed-in user's own Slack link (Settings → Slack): GET reads it, PUT `{ slackUserId }` sets it, DELETE
 * removes it. Authenticated by the session cookie (SameSite=Lax, and JSON bodies only: a cross-site form cannot
 * send one); the verbs are in server/services/slack-actions-link.ts.
 */
import type { Actor } from "@/server/actor";
import { jsonAnswer, processContext } from "@/server/api/http";
import { getSessionUser } from "@/server/auth/session";
import { serverEnv } from "@/server/config/env";
import { realClock } from "@/server/engine/clock";
import { logger } from "@/server/log";
import type { ServiceContext } from "@/server/services/context";
import { badRequest, ERROR_KINDS, ServiceError } from "@/server/services/errors";
import { linkSlackMember, slackLinkOf, unlinkSlackMember, type SlackLinkView } from "@/server/services/slack-actions-link";

export const dynamic = "force-dynamic";

export const GET = () => answer((ctx) => slackLinkOf(ctx));
export const DELETE = () => answer((ctx) => unlinkSlackMember(ctx));
export const PUT = (request: Request) =>
  answer(async (ctx) => {
    if (!request.headers.get("content-type")?.startsWith("application/json")) throw badRequest('Send JSON: { "slackUserId": "U…" }.');
    return linkSlackMember(ctx, await request.json().catch(() => ({})));
  });

async function answer(verb: (ctx: ServiceContext) => Promise<SlackLinkView>): Promise<Response> {
  const user = await getSessionUser();
  if (!user) return jsonAnswer(401, { error: "Sign in first." });
  const actor: Actor = { kind: "user", id: user.id, name: user.name, roles: user.roles };
  try {
    const view = await verb({ ...processContext(), actor, clock: realClock });
    return jsonAnswer(200, { ...view, buttonsOn: Boolean(serverEnv().SLACK_SIGNING_SECRET) });
  } catch (err) {
    if (err instanceof ServiceError) return jsonAnswer(ERROR_KINDS[err.code].http, { error: err.message, details: err.details });
    logger.error({ err }, "Slack link: unexpected error");
    return jsonAnswer(500, { error: "Something went wrong on the server; it has been logged." });
  }
}
