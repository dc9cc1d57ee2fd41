import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb, type SqliteStore } from "@/db/client";
import { createCaller } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import type { SessionUser } from "@/server/auth/session";
import { eq } from "drizzle-orm";
import { events } from "@/db/schema";
import { seedDemoUsers } from "@/server/services/users";
import { systemCtxOf } from "@/server/services/users.fixtures";

const ada: SessionUser = { id: "demo-admin", email: "admin@demo.flightdeck", name: "Ada", roles: ["admin"] };
const vera: SessionUser = { id: "demo-viewer", email: "viewer@demo.flightdeck", name: "Vera", roles: ["viewer"] };

beforeAll(async () => {
  process.env.FLIGHTDECK_DB = path.join(mkdtempSync(path.join(tmpdir(), "fd-admin-")), "test.db");
  await seedDemoUsers(systemCtxOf(getDb(), Date.now()));
});

async function callerFor(user: SessionUser | null) {
  return createCaller(await createTRPCContext({ headers: new Headers(), user }));
}

async function trpcErrorOf(promise: Promise<unknown>): Promise<TRPCError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  return err;
}

describe("admin router", () => {
  it("lists users for an admin", async () => {
    const users = await (await callerFor(ada)).admin.users();
    expect(users.map((u) => u.email)).toContain("deployer@demo.flightdeck");
  });

  it("answers 401 without a session and 403 for a viewer, for the query and the mutation alike", async () => {
    expect((await trpcErrorOf((await callerFor(null)).admin.users())).code).toBe("UNAUTHORIZED");
    expect((await trpcErrorOf((await callerFor(null)).admin.setRoles({ userId: "demo-viewer", roles: ["admin"] }))).code).toBe("UNAUTHORIZED");
    const forbidden = await trpcErrorOf((await callerFor(vera)).admin.setRoles({ userId: "demo-viewer", roles: ["admin"] }));
    expect(forbidden.code).toBe("FORBIDDEN");
    expect(forbidden.message).toBe("Your role (viewer) does not allow users.manage.");
    expect((await trpcErrorOf((await callerFor(vera)).admin.users())).code).toBe("FORBIDDEN");
  });

  it("sets roles, and answers an unknown role with a 400 that names it", async () => {
    const admin = await callerFor(ada);
    await expect(admin.admin.setRoles({ userId: "demo-viewer", roles: ["reviewer"] })).resolves.toMatchObject({ roles: ["reviewer"], changed: true });
    const bad = await trpcErrorOf(admin.admin.setRoles({ userId: "demo-viewer", roles: ["root"] }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toBe('roles[0]: unknown role "root": a role is one of viewer, deployer, reviewer, sre, admin');
  });

  it("creates a local user and disables them again, each audited with the admin as actor", async () => {
    const admin = await callerFor(ada);
    const { userId } = await admin.admin.createUser({ email: "Pat@Example.com", name: "Pat", password: "pat's long password", roles: ["deployer"] });
    expect((await admin.admin.users()).find((u) => u.id === userId)).toMatchObject({
      email: "pat@example.com",
      roles: ["deployer"],
      local: true,
      lastSignInAt: null,
    });
    await expect(admin.admin.setDisabled({ userId, disabled: true })).resolves.toMatchObject({ disabled: true, changed: true });
    expect((await admin.admin.users()).find((u) => u.id === userId)?.disabled).toBe(true);
    const audit = (getDb() as SqliteStore).raw
      .select()
      .from(events)
      .where(eq(events.actor, "user:demo-admin"))
      .all()
      .map((e) => e.type);
    expect(audit).toEqual(expect.arrayContaining(["user.created", "user.disabled"]));
  });

  it("answers a bad new user with a 400 naming the field, and refuses both mutations to a viewer", async () => {
    const bad = await trpcErrorOf((await callerFor(ada)).admin.createUser({ email: "pat", name: "Pat", password: "short" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toContain('email: expected an email address, got "pat"');
    expect((await trpcErrorOf((await callerFor(vera)).admin.createUser({ email: "v@example.com", name: "V", password: "a long enough password" }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await trpcErrorOf((await callerFor(vera)).admin.setDisabled({ userId: "demo-admin", disabled: true }))).code).toBe("FORBIDDEN");
    expect((await trpcErrorOf((await callerFor(null)).admin.setDisabled({ userId: "demo-admin", disabled: true }))).code).toBe("UNAUTHORIZED");
  });
});
