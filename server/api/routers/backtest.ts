/** The threshold backtest for the dashboard's page: a read, open to every role. */
import { recordedHistory } from "@/server/api/backtest-source";
import { serviceContextOf } from "@/server/api/service-context";
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { BacktestInput, backtestRegion } from "@/server/services/backtest";

export const backtestRouter = createTRPCRouter({
  run: permittedProcedure("read")
    .input(BacktestInput)
    .query(({ ctx, input }) => {
      const service = serviceContextOf(ctx);
      return backtestRegion(service, input, recordedHistory(service.config));
    }),
});
