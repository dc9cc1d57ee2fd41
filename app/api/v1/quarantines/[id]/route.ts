/**
 * REST: lift a quarantine with `{"reason": "..."}` (quarantine.lift: a rollback token of an sre or admin), as
 * `flightdeck quarantine lift <id> --reason …` calls it. The release may be started again; the lift is audited.
 */
import { liftQuarantineHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const DELETE = restRoute<{ id: string }>("quarantine.lift", liftQuarantineHandler);
