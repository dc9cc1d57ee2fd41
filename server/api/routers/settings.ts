/** Settings (admins): the config in effect with secrets shown only by name, and the "Send test card" action. */
import { getConfig } from "@/server/config";
import { rawEnv } from "@/server/config/env";
import { settingsView } from "@/server/services/settings-view";
import { sendTestCard, SendTestCardInput } from "@/server/services/test-card";
import { serviceContextOf } from "../service-context";
import { createTRPCRouter, permittedProcedure } from "../trpc";

export const settingsRouter = createTRPCRouter({
  view: permittedProcedure("settings.manage").query(({ ctx }) => settingsView(serviceContextOf(ctx), { file: getConfig().file, env: rawEnv() })),

  sendTestCard: permittedProcedure("settings.manage")
    .input(SendTestCardInput)
    .mutation(({ ctx, input }) => sendTestCard(serviceContextOf(ctx), input)),
});
