/**
 * REST: the freezes in force (read), a stop-all declared with `{"reason": "..."}` (POST) and lifted (DELETE), both
 * freeze.manage: a rollback token of an sre or admin, as `flightdeck freeze now` and `flightdeck freeze lift` call it.
 */
import { declareFreezeHandler, freezeStatusHandler, liftFreezeHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute("read", freezeStatusHandler);

export const POST = restRoute("freeze.manage", declareFreezeHandler, 201);

export const DELETE = restRoute("freeze.manage", liftFreezeHandler);
