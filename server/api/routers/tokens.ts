/** API tokens (admins only): list, create (the token is in the answer once), revoke. */
import type { Db } from "@/db/client";
import type { Actor } from "@/server/actor";
import { getConfig } from "@/server/config";
import type { ServiceContext } from "@/server/services/context";
import { CreateTokenInput, createToken, listTokens, RevokeTokenInput, revokeToken } from "@/server/services/api-tokens";
import { createTRPCRouter, permittedProcedure } from "../trpc";

const admin = permittedProcedure("settings.manage");
const ctxOf = (ctx: { db: Db; actor: Actor }): ServiceContext => ({ db: ctx.db, actor: ctx.actor, config: getConfig().config, now: Date.now() });

export const tokensRouter = createTRPCRouter({
  list: admin.query(({ ctx }) => listTokens(ctxOf(ctx))),
  create: admin.input(CreateTokenInput).mutation(({ ctx, input }) => createToken(ctxOf(ctx), input)),
  revoke: admin.input(RevokeTokenInput).mutation(({ ctx, input }) => revokeToken(ctxOf(ctx), input)),
});
