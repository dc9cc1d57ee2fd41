/** One region's page: live state, rollout history, recent samples and reviewer rule (anyone who may read). */
import { z } from "zod";
import { getConfig } from "@/server/config";
import { getRegionPage } from "@/server/services/region-page";
import { createTRPCRouter, permittedProcedure } from "../trpc";

export const RegionPageInput = z.strictObject({ regionId: z.string().min(1).max(100) });
export type RegionPageInput = z.infer<typeof RegionPageInput>;

export const regionPagesRouter = createTRPCRouter({
  get: permittedProcedure("read")
    .input(RegionPageInput)
    .query(({ ctx, input }) => getRegionPage(ctx.db, getConfig().config, input.regionId, Date.now())),
});
