/**
 * REST: acknowledge a rollout's open incidents, `{"regionId": "eu-west"}` for one region (incident.acknowledge: a
 * rollback token of an sre or admin), as `flightdeck ack <rollout-id>` calls it. No ticket or page follows.
 */
import { acknowledgeIncidentHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const POST = restRoute<{ id: string }>("incident.acknowledge", acknowledgeIncidentHandler);
