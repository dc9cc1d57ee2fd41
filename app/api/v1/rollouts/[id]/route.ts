/** REST: a rollout's status, for CI to wait on (`flightdeck rollout wait`). */
import { restRoute } from "@/server/api/rest";
import { getRolloutStatus } from "@/server/services/rollout-status";

export const dynamic = "force-dynamic";

export const GET = restRoute<{ id: string }>("read", ({ params, ctx }) => getRolloutStatus(ctx, params.id));
