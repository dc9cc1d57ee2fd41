/** REST: list rollouts (read), start one (rollout.start: a deploy token). Same services as the dashboard; the token is the actor. */
import { readJsonBody, restRoute } from "@/server/api/rest";
import { rolloutUrl } from "@/server/services/ci-webhook";
import { listRollouts } from "@/server/services/rollout-status";
import { startRollout, type StartRolloutInput } from "@/server/services/rollouts";

export const dynamic = "force-dynamic";

export const GET = restRoute("read", ({ request, ctx }) => listRollouts(ctx, Object.fromEntries(new URL(request.url).searchParams)));

export const POST = restRoute(
  "rollout.start",
  async ({ request, ctx }) => {
    const started = startRollout(ctx, (await readJsonBody(request)) as StartRolloutInput);
    return { rolloutId: started.rolloutId, url: rolloutUrl(ctx.config, started.rolloutId), status: "running", regions: started.regions.map((r) => r.regionId) };
  },
  202,
);
