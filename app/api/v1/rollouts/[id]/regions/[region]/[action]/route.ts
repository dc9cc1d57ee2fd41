/**
 * REST: pause, resume, promote or abort one region of a rollout (rollout.control: a deploy token). Pause and
 * promote take an optional `{ "reason": "..." }`; skipping the validation stage at 100 % needs a person with
 * the sre role and a reason, so a token is refused there (403) with words that say so.
 */
import { readJsonBody, restRoute } from "@/server/api/rest";
import { notFound } from "@/server/services/errors";
import { abortRegion, pauseRegion, promoteRegion, resumeRegion } from "@/server/services/region-commands";
import { regionCommandResult } from "@/server/services/rollout-status";

export const dynamic = "force-dynamic";

const COMMANDS = { pause: pauseRegion, resume: resumeRegion, promote: promoteRegion, abort: abortRegion } as const;
/** The actions that record a reason. */
const WITH_REASON = new Set(["pause", "promote"]);

export const POST = restRoute<{ id: string; region: string; action: string }>("rollout.control", async ({ request, params, ctx }) => {
  if (!Object.hasOwn(COMMANDS, params.action)) throw notFound(`There is no region action "${params.action}"; use pause, resume, promote or abort.`);
  const command = COMMANDS[params.action as keyof typeof COMMANDS];
  const { reason } = await readJsonBody(request);
  const input = { rolloutId: params.id, regionId: params.region, ...(WITH_REASON.has(params.action) && typeof reason === "string" ? { reason } : {}) };
  return regionCommandResult(command(ctx, input));
});
