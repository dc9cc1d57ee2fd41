/** User administration (admins only): list users, set roles, create local users, disable and enable users. */
import { z } from "zod";
import { createLocalUser, listUsers, setUserDisabled, setUserRoles } from "@/server/services/users";
import { serviceContextOf } from "../service-context";
import { createTRPCRouter, permittedProcedure } from "../trpc";

// Loose on purpose: the services check each field and answer with a message that names the bad one.
const SetRolesRequest = z.object({ userId: z.string(), roles: z.array(z.string()) });
const CreateUserRequest = z.object({ email: z.string(), name: z.string(), password: z.string(), roles: z.array(z.string()).optional() });
const SetDisabledRequest = z.object({ userId: z.string(), disabled: z.boolean() });

export const adminRouter = createTRPCRouter({
  users: permittedProcedure("users.manage").query(({ ctx }) => listUsers(serviceContextOf(ctx))),
  setRoles: permittedProcedure("users.manage")
    .input(SetRolesRequest)
    .mutation(({ ctx, input }) => setUserRoles(serviceContextOf(ctx), { userId: input.userId, roles: input.roles })),
  createUser: permittedProcedure("users.manage")
    .input(CreateUserRequest)
    .mutation(({ ctx, input }) => createLocalUser(serviceContextOf(ctx), input)),
  setDisabled: permittedProcedure("users.manage")
    .input(SetDisabledRequest)
    .mutation(({ ctx, input }) => setUserDisabled(serviceContextOf(ctx), { userId: input.userId, disabled: input.disabled })),
});
