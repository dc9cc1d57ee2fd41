/** One region's page: live state, rollout history, recent samples and reviewer rule (anyone who may read). */
import { serviceContextOf } from "@/server/api/service-context";
import { getRegionPage, RegionPageInput } from "@/server/services/region-page";
import { createTRPCRouter, permittedProcedure } from "../trpc";

export const regionPagesRouter = createTRPCRouter({
  get: permittedProcedure("read")
    .input(RegionPageInput)
    .query(({ ctx, input }) => getRegionPage(serviceContextOf(ctx), input)),
});
