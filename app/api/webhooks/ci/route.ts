/** CI webhook (contract: README "CI"): the route only adapts; rate limit, body limit and answers are in server/api/webhook.ts. */
import { receiveWebhookRequest } from "@/server/api/webhook";

export const dynamic = "force-dynamic";

export const POST = receiveWebhookRequest;
