/** REST: list rollouts (read), start one (rollout.start: a deploy token). Same services as the dashboard; the token is the actor. */
import { listRolloutsHandler, restRoute, startRolloutHandler } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute("read", listRolloutsHandler);

export const POST = restRoute("rollout.start", startRolloutHandler, 202);
