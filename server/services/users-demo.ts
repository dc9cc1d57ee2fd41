/**
 * The demo users: one per role, signed in with one click while the fleet config says `demo: true`.
 * They have no password, so they can never sign in any other way.
 */
import type { Store } from "@/db/client";
import { withinTransaction, type ServiceContext } from "./context";
import type { Role } from "@/server/auth/roles";
import { canonicalRoles, recordRolesChanged, replaceRoles, storedRoles } from "./users-roles";

export const DEMO_USERS: ReadonlyArray<{ id: string; role: Role; name: string; email: string }> = [
  { id: "demo-viewer", role: "viewer", name: "Vera", email: "viewer@demo.flightdeck" },
  { id: "demo-deployer", role: "deployer", name: "Dana", email: "deployer@demo.flightdeck" },
  { id: "demo-reviewer", role: "reviewer", name: "Rafael", email: "reviewer@demo.flightdeck" },
  { id: "demo-sre", role: "sre", name: "Sam", email: "sre@demo.flightdeck" },
  { id: "demo-admin", role: "admin", name: "Ada", email: "admin@demo.flightdeck" },
];

/**
 * Creates the demo users that are missing, each with its role. Idempotent: users already there keep the
 * roles an admin may have given them since.
 */
export async function seedDemoUsers(ctx: ServiceContext): Promise<{ created: string[] }> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.users.existingIds(DEMO_USERS.map((u) => u.id));
    const created: string[] = [];
    for (const demo of DEMO_USERS.filter((u) => !existing.has(u.id))) {
      const inserted = await tx.users.insertIfAbsent({ id: demo.id, email: demo.email, name: demo.name, demo: true, createdAt: now });
      if (!inserted) continue; // the email belongs to someone else: leave it alone
      await replaceRoles(withinTransaction(ctx, tx, now), { userId: demo.id, roles: [demo.role], changedBy: "system" });
      await recordRolesChanged(tx, { actor: "system", user: demo, before: [], after: [demo.role] }, now);
      created.push(demo.id);
    }
    return { created };
  });
}

export type DemoUser = { id: string; name: string; email: string; seededRole: Role; roles: Role[] };

/** Demo users who can sign in, in role order, with the roles they hold now. */
export async function listDemoUsers(db: Store): Promise<DemoUser[]> {
  const rows = await db.users.listDemo();
  const list: DemoUser[] = [];
  for (const demo of DEMO_USERS) {
    const row = rows.find((r) => r.id === demo.id);
    if (!row || row.disabledAt !== null) continue;
    const roles = canonicalRoles(await storedRoles(db, row.id));
    list.push({ id: row.id, name: row.name, email: row.email, seededRole: demo.role, roles: roles.length > 0 ? roles : ["viewer"] });
  }
  return list;
}
