/**
 * REST: resolve a rollout's incidents with `{"reason": "...", "regionId"?: "eu-west"}` (incident.acknowledge), as
 * `flightdeck resolve <rollout-id> --reason …` calls it. The escalation stops; a page already sent is resolved.
 */
import { resolveIncidentHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const POST = restRoute<{ id: string }>("incident.acknowledge", resolveIncidentHandler);
