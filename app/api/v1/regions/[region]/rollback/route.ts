/** REST: emergency rollback of a region to the previous release (region.rollback: a rollback token). Body `{ "service": "api" }`; optional with one service. */
import { readJsonBody, restRoute } from "@/server/api/rest";
import { badRequest } from "@/server/services/errors";
import { rollbackRegion } from "@/server/services/region-commands";
import { regionCommandResult } from "@/server/services/rollout-status";

export const dynamic = "force-dynamic";

export const POST = restRoute<{ region: string }>("region.rollback", async ({ request, params, ctx }) => {
  const { service } = await readJsonBody(request);
  const serviceId = typeof service === "string" ? service : ctx.config.services.length === 1 ? ctx.config.services[0].id : null;
  if (!serviceId) throw badRequest(`Name the service to roll back: {"service": "<id>"} (known: ${ctx.config.services.map((s) => s.id).join(", ")}).`);
  return regionCommandResult(rollbackRegion(ctx, { serviceId, regionId: params.region }));
}, 202);
