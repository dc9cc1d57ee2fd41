/**
 * The CI webhook: verify the signature, check the body, then in one transaction record the delivery (its id is
 * the primary key) and start the rollout. A delivery id seen before is a retry: the insert finds the row, and
 * the answer is the stored rollout, with nothing new written. The delivery id is not signed, so the accepted
 * signature's hash is stored too (unique): the same signed request under another delivery id is a replay,
 * refused with 409 naming the first delivery. Races are settled by those two keys in the database. Any refusal
 * rolls the transaction back: nothing is written. The body's optional `actor` names the person behind the change.
 */
import { createHash } from "node:crypto";
import type { Store } from "@/db/client";
import type { Actor } from "@/server/actor";
import { resolveRegionName } from "@/server/config/region-names";
import type { FleetConfig } from "@/server/config/schema";
import { fixedClock, type TimeSource } from "@/server/engine/clock";
import { resolveCiActor } from "./approvals-initiator";
import { CiWebhookBody, issuesOf, type BodyIssue } from "./ci-webhook-body";
import { ERROR_KINDS, problemsMessage, problemsOf, ServiceError } from "./errors";
import { startRollout } from "./rollouts";
import { verifyWebhookSignature } from "./webhook-signature";

/** `previousSecret`: while rotating, the old secret is still accepted (FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS). */
export type WebhookContext = { db: Store; config: FleetConfig; clock: TimeSource; secret: string | undefined; previousSecret?: string };
export type WebhookDelivery = { headers: Headers; rawBody: string };
export type WebhookAnswer = {
  status: number;
  body: { error?: string; message?: string; issues?: BodyIssue[]; rolloutId?: string; url?: string; status?: string };
};

const refused = (status: number, error: string, issues?: BodyIssue[]): WebhookAnswer => ({ status, body: issues ? { error, issues } : { error } });

export async function receiveCiWebhook(ctx: WebhookContext, delivery: WebhookDelivery): Promise<WebhookAnswer> {
  const now = ctx.clock.now();
  if (!ctx.secret) {
    return refused(503, "The CI webhook is not configured on this server: set FLIGHTDECK_WEBHOOK_SECRET (at least 16 characters) and restart Flightdeck.");
  }
  const { headers, rawBody } = delivery;
  const signatureHeader = headers.get("x-flightdeck-signature");
  const check = (secret: string) =>
    verifyWebhookSignature({ secret, timestamp: headers.get("x-flightdeck-timestamp"), signature: signatureHeader, rawBody, nowMs: now });
  const signature = check(ctx.secret);
  if (!signature.ok && !(ctx.previousSecret && check(ctx.previousSecret).ok)) return refused(401, signature.message);
  const signatureSha256 = sha256(signatureHeader!.toLowerCase());

  const deliveryId = headers.get("x-flightdeck-delivery");
  if (!deliveryId || !/^[A-Za-z0-9._:-]{1,128}$/.test(deliveryId)) {
    const message = "expected a unique id per delivery: 1 to 128 letters, digits, '.', '_', ':' or '-' (e.g. the CI run id and attempt)";
    return refused(400, "The X-Flightdeck-Delivery header is missing or malformed.", [{ path: "headers.X-Flightdeck-Delivery", message }]);
  }

  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (err) {
    return refused(400, "The body is not valid JSON.", [{ path: "(body)", message: (err as Error).message }]);
  }
  const parsed = CiWebhookBody.safeParse(json);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    return refused(400, `The body does not match the webhook contract: ${problemsMessage(issues)}.`, issues);
  }
  const body = parsed.data;

  const unknownNames = unknownServiceOrRegions(ctx.config, body);
  if (unknownNames) return refused(422, unknownNames);

  try {
    return await ctx.db.transaction((tx) => recordAndStart(ctx, now, tx, { deliveryId, signatureSha256, bodySha256: sha256(rawBody) }, body));
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    // The webhook's statuses are its own column of the one table (the contract says 422 for unknown names, 403 for a ref).
    const status = ERROR_KINDS[err.code].webhook;
    return refused(status, err.message, status === 400 ? (problemsOf(err) ?? [{ path: "(body)", message: err.message }]) : undefined);
  }
}

type DeliveryKeys = { deliveryId: string; signatureSha256: string; bodySha256: string };

async function recordAndStart(ctx: WebhookContext, now: number, tx: Store, keys: DeliveryKeys, body: CiWebhookBody): Promise<WebhookAnswer> {
  const { deliveryId, signatureSha256, bodySha256 } = keys;
  const inserted = await tx.webhookDeliveries.insertIfAbsent({
    deliveryId,
    receivedAt: now,
    bodySha256,
    signatureSha256,
    rolloutId: null,
    status: 202,
    response: {},
  });
  if (!inserted) return retryOrReplay(tx, keys);

  const ciActor = body.actor === undefined ? undefined : { name: body.actor, userId: await resolveCiActor(tx, body.actor) };
  const actor: Actor = { kind: "webhook", id: deliveryId, name: body.actor ? `CI webhook for ${body.actor}` : "CI webhook", roles: ["deployer"], ciActor };
  // Inside this transaction: startRollout's own transaction becomes a savepoint, so a refusal undoes the delivery row too.
  const started = await startRollout(
    // The rollout starts at the time the delivery was received (and its signature checked).
    { db: tx, config: ctx.config, actor, clock: fixedClock(now) },
    {
      serviceId: body.service,
      artifact: {
        version: body.artifact.version,
        digest: body.artifact.digest,
        url: body.artifact.url,
        sourceRef: body.ref,
        commitSha: body.commit,
        manifest: body.artifact.manifest ?? null,
      },
      strategy: body.strategy,
      regions: body.regions,
      delayMinutes: body.delayMinutes ?? null,
    },
  );
  const response = { rolloutId: started.rolloutId, url: rolloutUrl(ctx.config, started.rolloutId), status: "running" };
  await tx.webhookDeliveries.setRollout(deliveryId, started.rolloutId, response);
  const where = started.regions.map((r) => r.regionId).join(", ");
  return {
    status: 202,
    body: {
      ...response,
      message: `Started ${body.service} ${body.artifact.version} (${body.strategy}) in ${where}. Follow it at ${response.url} or with \`flightdeck rollout wait ${started.rolloutId}\`.`,
    },
  };
}

/**
 * The insert found a row. The same delivery id again is a retry: the stored rollout and its current status, or a
 * refusal if the body changed. An accepted signature under another delivery id is a replay of a captured request.
 */
async function retryOrReplay(tx: Store, { deliveryId, signatureSha256, bodySha256 }: DeliveryKeys): Promise<WebhookAnswer> {
  const stored = await tx.webhookDeliveries.byId(deliveryId);
  if (!stored) {
    const first = (await tx.webhookDeliveries.bySignature(signatureSha256))!;
    return refused(
      409,
      `This signed request was already accepted as delivery ${first.deliveryId} at ${new Date(first.receivedAt).toISOString()}; the same signature under delivery ${deliveryId} is a replay and starts nothing. Sign each new delivery with its own timestamp.`,
    );
  }
  if (stored.bodySha256 !== bodySha256) {
    return refused(409, `Delivery ${deliveryId} was already received with a different body. Use a new X-Flightdeck-Delivery id for each new delivery.`);
  }
  const response = stored.response as { rolloutId: string; url: string };
  const current = await tx.rollouts.byId(response.rolloutId);
  return {
    status: 200,
    body: {
      ...response,
      status: current?.status ?? "unknown",
      message: `Delivery ${deliveryId} was already received: it started rollout ${response.rolloutId}; nothing new was started.`,
    },
  };
}

function unknownServiceOrRegions(config: FleetConfig, body: CiWebhookBody): string | null {
  if (!config.services.some((s) => s.id === body.service)) {
    return `There is no service "${body.service}" in the fleet config (known: ${config.services.map((s) => s.id).join(", ")}). Check the "service" field of the webhook call.`;
  }
  if (body.regions === "all") return null;
  // Ids or the spec's short names (us, eu, apac); a short name that fits several regions is refused with the ids to choose from.
  const names = body.regions.map((name) => ({ name, resolved: resolveRegionName(config, name) }));
  const unknown = names.flatMap((n) => (!n.resolved.ok && n.resolved.unknown ? [n.name] : []));
  const ambiguous = names.flatMap((n) => (!n.resolved.ok && !n.resolved.unknown ? [n.resolved.message] : []));
  if (unknown.length === 0 && ambiguous.length === 0) return null;
  if (unknown.length === 0) return ambiguous.join(" ");
  return `Unknown region${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")} (known: ${config.regions.map((r) => r.id).join(", ")}); or send "all".`;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function rolloutUrl(config: FleetConfig, rolloutId: string): string {
  return `${config.baseUrl.replace(/\/$/, "")}/rollouts/${rolloutId}`;
}
