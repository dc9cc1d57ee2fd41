/** REST: pause, resume or abort one region of a rollout (rollout.control: a deploy token). */
import { readJsonBody, restRoute } from "@/server/api/rest";
import { notFound } from "@/server/services/errors";
import { abortRegion, pauseRegion, resumeRegion } from "@/server/services/region-commands";
import { regionCommandResult } from "@/server/services/rollout-status";

export const dynamic = "force-dynamic";

const COMMANDS = { pause: pauseRegion, resume: resumeRegion, abort: abortRegion } as const;

export const POST = restRoute<{ id: string; region: string; action: string }>("rollout.control", async ({ request, params, ctx }) => {
  if (!Object.hasOwn(COMMANDS, params.action)) throw notFound(`There is no region action "${params.action}"; use pause, resume or abort.`);
  const command = COMMANDS[params.action as keyof typeof COMMANDS];
  const { reason } = await readJsonBody(request);
  const input = { rolloutId: params.id, regionId: params.region, ...(params.action === "pause" && typeof reason === "string" ? { reason } : {}) };
  return regionCommandResult(command(ctx, input));
});
