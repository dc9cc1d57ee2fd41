/**
 * The demo users: one per role, signed in with one click while the fleet config says `demo: true`.
 * They have no password, so they can never sign in any other way.
 */
import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
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
export function seedDemoUsers(db: Db, now: number): { created: string[] } {
  return db.transaction((tx) => {
    const existing = new Set(
      tx
        .select({ id: users.id })
        .from(users)
        .where(
          inArray(
            users.id,
            DEMO_USERS.map((u) => u.id),
          ),
        )
        .all()
        .map((u) => u.id),
    );
    const created: string[] = [];
    for (const demo of DEMO_USERS.filter((u) => !existing.has(u.id))) {
      const inserted = tx
        .insert(users)
        .values({ id: demo.id, email: demo.email, name: demo.name, demo: true, createdAt: now })
        .onConflictDoNothing()
        .returning({ id: users.id })
        .all();
      if (inserted.length === 0) continue; // the email belongs to someone else: leave it alone
      replaceRoles(tx, demo.id, [demo.role], "system", now);
      recordRolesChanged(tx, { actor: "system", user: demo, before: [], after: [demo.role] }, now);
      created.push(demo.id);
    }
    return { created };
  });
}

export type DemoUser = { id: string; name: string; email: string; seededRole: Role; roles: Role[] };

/** Demo users who can sign in, in role order, with the roles they hold now. */
export function listDemoUsers(db: Db): DemoUser[] {
  const rows = db.select().from(users).where(eq(users.demo, true)).all();
  return DEMO_USERS.flatMap((demo) => {
    const row = rows.find((r) => r.id === demo.id);
    if (!row || row.disabledAt !== null) return [];
    const roles = canonicalRoles(storedRoles(db, row.id));
    return [{ id: row.id, name: row.name, email: row.email, seededRole: demo.role, roles: roles.length > 0 ? roles : ["viewer"] }];
  });
}
