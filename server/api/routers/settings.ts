/** Settings (admins): the config in effect with secrets shown only by name, and the "Send test card" action. */
import { z } from "zod";
import { getConfig } from "@/server/config";
import { sendExampleCard } from "@/server/engine/notify/send-example-card";
import { settingsView } from "@/server/services/settings-view";
import { createTRPCRouter, permittedProcedure } from "../trpc";

export const SendTestCardInput = z.strictObject({ channel: z.enum(["incidents", "deployments"]).optional() }).optional();
export type SendTestCardInput = z.infer<typeof SendTestCardInput>;

/** A webhook's body can be long (an HTML error page); the page needs its first words. */
const SHORT_BODY = 300;

export const settingsRouter = createTRPCRouter({
  view: permittedProcedure("settings.manage").query(() => settingsView(getConfig(), process.env)),

  sendTestCard: permittedProcedure("settings.manage")
    .input(SendTestCardInput)
    .mutation(async ({ input }) => {
      const purpose = input?.channel;
      const results = await sendExampleCard(getConfig().config, process.env, purpose);
      return {
        configured: results.length > 0,
        message:
          results.length === 0
            ? `No notification channel${purpose ? ` for ${purpose}` : ""} is configured: add one under notifications.channels (id, kind slack|teams, purpose, webhookUrlEnv).`
            : `${results.filter((r) => r.ok).length} of ${results.length} webhook(s) accepted the test card.`,
        results: results.map((r) => ({ ...r, body: r.body && r.body.length > SHORT_BODY ? `${r.body.slice(0, SHORT_BODY)}…` : r.body })),
      };
    }),
});
