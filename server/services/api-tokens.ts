/**
 * API tokens for CI and scripts: created by an admin and shown once (`fd_<random>`), stored as a sha256, with a
 * scope (read, deploy, rollback; the old write scope is deploy + rollback), an expiry (90 days unless set),
 * revocable, with the time of last use. A token acts as `{ kind: "token", id, name, roles, scope, creatorId }`:
 * its creator's roles read at each use, limited by the scope, so it never does more than its creator may, and it
 * stops when the creator may no longer act (disabled, or a demo user with demo mode off).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { ApiTokenRow } from "@/db/store/repositories/api-tokens";
import { actorRef, type Actor } from "@/server/actor";
import { describeInactive, inactiveReason } from "@/server/auth/active-user";
import { can, NEW_TOKEN_SCOPES, type TokenScope } from "@/server/auth/roles";
import { userRoles } from "@/server/auth/session-store";
import { parseInput, type ServiceContext } from "./context";
import { forbidden, notFound, preconditionFailed, unauthorized } from "./errors";
import { eventValues } from "@/server/engine/machine/events";

export type { TokenScope };
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

export const CreateTokenInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scope: z.enum(NEW_TOKEN_SCOPES, { error: "expected read, deploy (start, pause, resume, abort) or rollback (roll back only)" }),
  /** Days until the token stops working: 1 to 366, 90 by default. */
  expiresInDays: z
    .int()
    .min(1, { error: "a token lives at least 1 day" })
    .max(MAX_TOKEN_DAYS, { error: `a token lives at most ${MAX_TOKEN_DAYS} days` })
    .default(DEFAULT_TOKEN_DAYS),
});
export type CreateTokenInput = z.input<typeof CreateTokenInput>;
export const RevokeTokenInput = z.strictObject({ tokenId: z.string().min(1) });
export type RevokeTokenInput = z.input<typeof RevokeTokenInput>;

export type TokenSummary = {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Null only for a row older than the expiry migration; such a token is refused. */
  expiresAt: number | null;
};

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

function requireAdminUser(ctx: ServiceContext, what: string): string {
  if (!can(ctx.actor.roles, "settings.manage") || ctx.actor.kind !== "user") throw forbidden(`${what} needs the admin role, signed in as a person.`);
  return ctx.actor.id;
}

/** The token itself is in the answer only here; afterwards only its prefix is known. */
export async function createToken(ctx: ServiceContext, raw: CreateTokenInput): Promise<{ token: string; summary: TokenSummary }> {
  const now = ctx.clock.now();
  const input = parseInput(CreateTokenInput, raw);
  const createdBy = requireAdminUser(ctx, "Creating an API token");
  const token = `fd_${randomBytes(32).toString("base64url")}`;
  const expiresAt = now + input.expiresInDays * DAY_MS;
  const row = {
    id: randomUUID(),
    name: input.name,
    tokenHash: hashToken(token),
    prefix: token.slice(0, 10),
    scope: input.scope,
    createdBy,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
    expiresAt,
  };
  await ctx.db.transaction(async (tx) => {
    await tx.apiTokens.insert(row);
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: "token.created",
        actor: actorRef(ctx.actor),
        message: `${ctx.actor.name} created the ${input.scope} API token "${input.name}" (${row.prefix}…), valid for ${input.expiresInDays} days.`,
        data: { tokenId: row.id, scope: input.scope, expiresAt },
      }),
    );
  });
  return { token, summary: toSummary(row) };
}

export async function revokeToken(ctx: ServiceContext, raw: RevokeTokenInput): Promise<TokenSummary> {
  const now = ctx.clock.now();
  const input = parseInput(RevokeTokenInput, raw);
  requireAdminUser(ctx, "Revoking an API token");
  return ctx.db.transaction(async (tx) => {
    const revoked = await tx.apiTokens.revoke(input.tokenId, now);
    if (!revoked) {
      const existing = await tx.apiTokens.byId(input.tokenId);
      if (!existing) throw notFound(`There is no API token ${input.tokenId}.`);
      throw preconditionFailed(`The API token "${existing.name}" is already revoked.`);
    }
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: "token.revoked",
        actor: actorRef(ctx.actor),
        message: `${ctx.actor.name} revoked the API token "${revoked.name}" (${revoked.prefix}…).`,
        data: { tokenId: revoked.id },
      }),
    );
    return toSummary(revoked);
  });
}

export async function listTokens(ctx: ServiceContext): Promise<TokenSummary[]> {
  requireAdminUser(ctx, "Listing API tokens");
  return (await ctx.db.apiTokens.listNewestFirst()).map(toSummary);
}

/**
 * The actor behind `Authorization: Bearer <token>`, and its last use recorded. Missing, unknown, revoked and
 * expired tokens, and tokens whose creator may no longer act, are all 401, each with a message saying what to do.
 * The scope and the creator's roles are checked per call (restRoute, actorCan). Nobody is signed in yet: callers
 * pass `systemContext(db, config, clock)`; a demo user's token works only while `ctx.config.demo` is on.
 */
export async function authenticateToken(ctx: ServiceContext, authorization: string | null): Promise<{ actor: Actor; scope: TokenScope }> {
  const now = ctx.clock.now();
  const { db } = ctx;
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw unauthorized("Send an API token as `Authorization: Bearer fd_…` (an admin creates one in Settings → API tokens).");
  const found = await db.apiTokens.byHashWithCreator(hashToken(token));
  if (!found) throw unauthorized("This API token is not known: check FLIGHTDECK_TOKEN, or ask an admin for a new one.");
  const { token: row, creator } = found;
  if (row.revokedAt !== null) throw unauthorized(`The API token "${row.name}" was revoked; ask an admin for a new one.`);
  if (row.expiresAt === null || row.expiresAt <= now) {
    const when = row.expiresAt === null ? "" : ` on ${new Date(row.expiresAt).toISOString().slice(0, 10)}`;
    throw unauthorized(`The API token "${row.name}" expired${when}; ask an admin for a new one.`);
  }
  const inactive = inactiveReason(creator, ctx.config.demo);
  if (inactive) throw unauthorized(`The API token "${row.name}" stopped working: its creator ${describeInactive(creator.name, inactive)}.`);
  await db.apiTokens.touch(row.id, now);
  const actor: Actor = {
    kind: "token",
    id: row.id,
    name: `token "${row.name}"`,
    roles: await userRoles(db, row.createdBy),
    scope: row.scope,
    creatorId: row.createdBy,
  };
  return { actor, scope: row.scope };
}

function toSummary(row: ApiTokenRow): TokenSummary {
  const { id, name, prefix, scope, createdBy, createdAt, lastUsedAt, revokedAt, expiresAt } = row;
  return { id, name, prefix, scope, createdBy, createdAt, lastUsedAt, revokedAt, expiresAt };
}
