/** REST: a rollout's status, for CI to wait on (`flightdeck rollout wait`). */
import { restRoute, rolloutStatusHandler } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute<{ id: string }>("read", rolloutStatusHandler);
