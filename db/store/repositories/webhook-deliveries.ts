/** CI webhook deliveries (idempotency by delivery id). */
import type { SqliteQuery as Query } from "../../sqlite/driver";

export function webhookDeliveryRepository(q: Query) {
  void q;
  return {};
}
