/** User administration: list users with their roles, and set a user's roles (admins only). */
import { z } from "zod";
import { listUsers, setUserRoles } from "@/server/services/users";
import { createTRPCRouter, permittedProcedure } from "../trpc";

// Loose on purpose: the service checks each role and answers with a message that names the unknown one.
const SetRolesRequest = z.object({ userId: z.string(), roles: z.array(z.string()) });

export const adminRouter = createTRPCRouter({
  users: permittedProcedure("users.manage").query(({ ctx }) => listUsers(ctx.db)),
  setRoles: permittedProcedure("users.manage")
    .input(SetRolesRequest)
    .mutation(({ ctx, input }) => setUserRoles(ctx.db, { actor: ctx.actor, userId: input.userId, roles: input.roles })),
});
