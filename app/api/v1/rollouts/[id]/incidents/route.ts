/** REST: a rollout's incidents (regions rolled back for a breach or in an emergency) and where each stands (read). */
import { listIncidentsHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute<{ id: string }>("read", listIncidentsHandler);
