/** REST: emergency rollback of a region to the previous release (region.rollback: a rollback token). Body `{ "service": "api" }`; optional with one service. */
import { restRoute, rollbackRegionHandler } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const POST = restRoute<{ region: string }>("region.rollback", rollbackRegionHandler, 202);
