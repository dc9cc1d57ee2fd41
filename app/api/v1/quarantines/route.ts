/** REST: the quarantines in force (`?all=true`: lifted ones too; `?serviceId=`: one service's), newest first, with why. */
import { listQuarantinesHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute("read", listQuarantinesHandler);
