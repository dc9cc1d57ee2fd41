/** Incidents of a rollout (regions rolled back for a breach or in an emergency): list, acknowledge, resolve (docs/notifications.md#escalation). */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import {
  AcknowledgeIncidentInput,
  acknowledgeIncident,
  ListIncidentsInput,
  listIncidents,
  ResolveIncidentInput,
  resolveIncident,
} from "@/server/services/incidents";

export const incidentsRouter = createTRPCRouter({
  list: permittedProcedure("read")
    .input(ListIncidentsInput)
    .query(({ ctx, input }) => listIncidents(serviceContextOf(ctx), input)),
  acknowledge: permittedProcedure("incident.acknowledge")
    .input(AcknowledgeIncidentInput)
    .mutation(({ ctx, input }) => acknowledgeIncident(serviceContextOf(ctx), input)),
  resolve: permittedProcedure("incident.acknowledge")
    .input(ResolveIncidentInput)
    .mutation(({ ctx, input }) => resolveIncident(serviceContextOf(ctx), input)),
});
