/** The audit log: the append-only event log, filtered and paged (anyone who may read; internal fields for sre and admin). */
import { AuditListInput, listAuditEvents } from "@/server/services/audit-log";
import { createTRPCRouter, permittedProcedure } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: permittedProcedure("read")
    .input(AuditListInput)
    .query(({ ctx, input }) => listAuditEvents(ctx, input)),
});
