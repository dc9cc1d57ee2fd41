/** The regions overview, and its live feed of events (SSE through httpSubscriptionLink). */
import { tracked } from "@trpc/server";
import { z } from "zod";
import { permittedProcedure, createTRPCRouter, recheckSession } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import { followEvents } from "@/server/services/event-feed";
import { getRegionsOverview } from "@/server/services/overview";

/**
 * `lastEventId` is the id of the last event the client saw. The client sets it on the first call (the overview's
 * cursor) and tRPC's SSE link sets it again on every reconnect, so a dropped connection misses nothing.
 */
export const RegionsLiveInput = z.object({ lastEventId: z.string().regex(/^\d+$/, { error: "expected an event id (digits)" }).nullish() }).optional();
export type RegionsLiveInput = z.infer<typeof RegionsLiveInput>;

/** How often an open live feed checks that its session still stands, before it sends the next event. */
export const LIVE_SESSION_CHECK_MS = 10_000;

export const regionsRouter = createTRPCRouter({
  overview: permittedProcedure("read").query(({ ctx }) => getRegionsOverview(serviceContextOf(ctx))),

  live: permittedProcedure("read")
    .input(RegionsLiveInput)
    .subscription(async function* ({ ctx, input, signal }) {
      const after = input?.lastEventId ? Number(input.lastEventId) : null;
      let checkedAt = Date.now();
      for await (const event of followEvents(ctx.db, { after, signal })) {
        if (Date.now() - checkedAt >= LIVE_SESSION_CHECK_MS) {
          await recheckSession(ctx, "read");
          checkedAt = Date.now();
        }
        yield tracked(String(event.id), event);
      }
    }),
});
