/**
 * "Send test card" (settings, admins): the spec's example incident through the real sender to every configured
 * webhook of the purpose, each answer reported. Recorded in the event log under the admin's name.
 */
import { z } from "zod";
import { actorRef } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { rawEnv } from "@/server/config/env";
import { sendExampleCard, type ExampleCardResult } from "@/server/engine/outbox/send-example-card";
import { parseInput, type ServiceContext } from "./context";
import { forbidden } from "./errors";
import { eventValues } from "@/server/engine/machine/events";

export const SendTestCardInput = z.strictObject({ channel: z.enum(["incidents", "deployments"]).optional() }).optional();
export type SendTestCardInput = z.infer<typeof SendTestCardInput>;

export type TestCardAnswer = { configured: boolean; message: string; results: ExampleCardResult[] };

/** A webhook's body can be long (an HTML error page); the page needs its first words. */
const SHORT_BODY = 300;

export async function sendTestCard(ctx: ServiceContext, raw: SendTestCardInput, env: Record<string, string | undefined> = rawEnv()): Promise<TestCardAnswer> {
  const now = ctx.clock.now();
  const input = parseInput(SendTestCardInput, raw);
  if (!can(ctx.actor.roles, "settings.manage")) throw forbidden("Sending a test card needs the admin role.");
  const purpose = input?.channel;
  const results = await sendExampleCard(ctx.config, env, purpose);
  const accepted = results.filter((r) => r.ok).length;
  const message =
    results.length === 0
      ? `No notification channel${purpose ? ` for ${purpose}` : ""} is configured: add one under notifications.channels (id, kind slack|teams, purpose, webhookUrlEnv).`
      : `${accepted} of ${results.length} webhook(s) accepted the test card.`;
  await ctx.db.events.insertOne(
    eventValues({
      at: now,
      type: "notify.test_card_sent",
      actor: actorRef(ctx.actor),
      message: `${ctx.actor.name} sent a test card: ${message}`,
      data: { purpose: purpose ?? null, accepted, sent: results.length },
    }),
  );
  return {
    configured: results.length > 0,
    message,
    results: results.map((r) => ({ ...r, body: r.body && r.body.length > SHORT_BODY ? `${r.body.slice(0, SHORT_BODY)}…` : r.body })),
  };
}
