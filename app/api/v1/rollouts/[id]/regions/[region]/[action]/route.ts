/**
 * REST: pause, resume, promote or abort one region of a rollout (rollout.control: a deploy token). Pause and
 * promote take an optional `{ "reason": "..." }`; skipping the validation stage at 100 % needs a person with
 * the sre role and a reason, so a token is refused there (403) with words that say so.
 */
import { regionActionHandler, restRoute } from "@/server/api/rest";

export const dynamic = "force-dynamic";

export const POST = restRoute<{ id: string; region: string; action: string }>("rollout.control", regionActionHandler);
