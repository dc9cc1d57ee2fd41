/**
 * API tokens for CI and scripts: created by an admin and shown once (`fd_<random>`), stored as a sha256,
 * scoped read or write, revocable, with the time of last use. A token acts as
 * `{ kind: "token", id, name, roles }` so the audit trail names it.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { apiTokens, events } from "@/db/schema";
import { actorRef, type Actor } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { parseInput, type ServiceContext } from "./context";
import { forbidden, notFound, preconditionFailed, unauthorized } from "./errors";

export const TokenScope = z.enum(["read", "write"]);
export type TokenScope = z.infer<typeof TokenScope>;
export const CreateTokenInput = z.strictObject({ name: z.string().trim().min(1).max(100), scope: TokenScope });
export type CreateTokenInput = z.input<typeof CreateTokenInput>;
export const RevokeTokenInput = z.strictObject({ tokenId: z.string().min(1) });
export type RevokeTokenInput = z.input<typeof RevokeTokenInput>;

export type TokenSummary = { id: string; name: string; prefix: string; scope: TokenScope; createdBy: string; createdAt: number; lastUsedAt: number | null; revokedAt: number | null };

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

function requireAdminUser(ctx: ServiceContext, what: string): string {
  if (!can(ctx.actor.roles, "settings.manage") || ctx.actor.kind !== "user") throw forbidden(`${what} needs the admin role, signed in as a person.`);
  return ctx.actor.id;
}

/** The token itself is in the answer only here; afterwards only its prefix is known. */
export function createToken(ctx: ServiceContext, raw: CreateTokenInput): { token: string; summary: TokenSummary } {
  const input = parseInput(CreateTokenInput, raw);
  const createdBy = requireAdminUser(ctx, "Creating an API token");
  const token = `fd_${randomBytes(32).toString("base64url")}`;
  const row = { id: randomUUID(), name: input.name, tokenHash: hashToken(token), prefix: token.slice(0, 10), scope: input.scope, createdBy, createdAt: ctx.now, lastUsedAt: null, revokedAt: null };
  ctx.db.transaction((tx) => {
    tx.insert(apiTokens).values(row).run();
    tx.insert(events)
      .values({ at: ctx.now, type: "token.created", actor: actorRef(ctx.actor), message: `${ctx.actor.name} created the ${input.scope} API token "${input.name}" (${row.prefix}…).`, data: { tokenId: row.id, scope: input.scope } })
      .run();
  });
  return { token, summary: toSummary(row) };
}

export function revokeToken(ctx: ServiceContext, raw: RevokeTokenInput): TokenSummary {
  const input = parseInput(RevokeTokenInput, raw);
  requireAdminUser(ctx, "Revoking an API token");
  return ctx.db.transaction((tx) => {
    const revoked = tx.update(apiTokens).set({ revokedAt: ctx.now }).where(and(eq(apiTokens.id, input.tokenId), isNull(apiTokens.revokedAt))).returning().get();
    if (!revoked) {
      const existing = tx.select().from(apiTokens).where(eq(apiTokens.id, input.tokenId)).get();
      if (!existing) throw notFound(`There is no API token ${input.tokenId}.`);
      throw preconditionFailed(`The API token "${existing.name}" is already revoked.`);
    }
    tx.insert(events)
      .values({ at: ctx.now, type: "token.revoked", actor: actorRef(ctx.actor), message: `${ctx.actor.name} revoked the API token "${revoked.name}" (${revoked.prefix}…).`, data: { tokenId: revoked.id } })
      .run();
    return toSummary(revoked);
  });
}

export function listTokens(ctx: ServiceContext): TokenSummary[] {
  requireAdminUser(ctx, "Listing API tokens");
  return ctx.db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt)).all().map(toSummary);
}

/**
 * The actor behind `Authorization: Bearer <token>`, and its last use recorded. Missing, unknown and revoked
 * tokens are all 401, each with a message saying what to do.
 */
export function authenticateToken(db: Db, authorization: string | null, now: number): { actor: Actor; scope: TokenScope } {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw unauthorized("Send an API token as `Authorization: Bearer fd_…` (an admin creates one in Settings → API tokens).");
  const row = db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(token))).get();
  if (!row) throw unauthorized("This API token is not known: check FLIGHTDECK_TOKEN, or ask an admin for a new one.");
  if (row.revokedAt !== null) throw unauthorized(`The API token "${row.name}" was revoked; ask an admin for a new one.`);
  db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
  const roles = row.scope === "write" ? (["deployer", "sre"] as const) : (["viewer"] as const);
  return { actor: { kind: "token", id: row.id, name: `token "${row.name}"`, roles: [...roles] }, scope: row.scope };
}

function toSummary(row: typeof apiTokens.$inferSelect): TokenSummary {
  const { id, name, prefix, scope, createdBy, createdAt, lastUsedAt, revokedAt } = row;
  return { id, name, prefix, scope, createdBy, createdAt, lastUsedAt, revokedAt };
}
