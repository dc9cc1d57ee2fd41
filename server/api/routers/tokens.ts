/** API tokens (admins only): list, create (the token is in the answer once), revoke. */
import { serviceContextOf as ctxOf } from "@/server/api/service-context";
import { CreateTokenInput, createToken, listTokens, RevokeTokenInput, revokeToken } from "@/server/services/api-tokens";
import { createTRPCRouter, permittedProcedure } from "../trpc";

const admin = permittedProcedure("settings.manage");

export const tokensRouter = createTRPCRouter({
  list: admin.query(({ ctx }) => listTokens(ctxOf(ctx))),
  create: admin.input(CreateTokenInput).mutation(({ ctx, input }) => createToken(ctxOf(ctx), input)),
  revoke: admin.input(RevokeTokenInput).mutation(({ ctx, input }) => revokeToken(ctxOf(ctx), input)),
});
