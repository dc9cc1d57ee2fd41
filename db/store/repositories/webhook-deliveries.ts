/** CI webhook deliveries (idempotency by delivery id). */
import { eq } from "drizzle-orm";
import type { webhookDeliveries } from "../../schema";
import type { Query, Tables } from "../query";

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

export function webhookDeliveryRepository(q: Query, t: Tables) {
  const { webhookDeliveries } = t;
  return {
    // --- the CI webhook's idempotency (services: ci-webhook) ---
    /** Records the delivery unless its id or its signature was seen: the new row, or undefined when either was. */
    async insertIfAbsent(row: typeof webhookDeliveries.$inferInsert): Promise<WebhookDeliveryRow | undefined> {
      const [inserted] = await q.insert(webhookDeliveries).values(row).onConflictDoNothing().returning();
      return inserted;
    },

    async byId(deliveryId: string): Promise<WebhookDeliveryRow | undefined> {
      const [row] = await q.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId)).limit(1);
      return row;
    },

    /** The delivery first accepted with this signature (sha256 of the header). */
    async bySignature(signatureSha256: string): Promise<WebhookDeliveryRow | undefined> {
      const [row] = await q.select().from(webhookDeliveries).where(eq(webhookDeliveries.signatureSha256, signatureSha256)).limit(1);
      return row;
    },

    /** The rollout the delivery started, and the answer a retry of it gets. */
    async setRollout(deliveryId: string, rolloutId: string, response: unknown): Promise<void> {
      await q.update(webhookDeliveries).set({ rolloutId, response }).where(eq(webhookDeliveries.deliveryId, deliveryId));
    },
  };
}
