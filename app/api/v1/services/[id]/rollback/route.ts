/**
 * REST: emergency rollback of every region of a service (region.rollback: a rollback token), each region in
 * parallel and verified by the engine. No body; an `Idempotency-Key` header makes a retry safe.
 */
import { restRoute, rollbackServiceHandler } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const POST = restRoute<{ id: string }>("region.rollback", rollbackServiceHandler, 202);
