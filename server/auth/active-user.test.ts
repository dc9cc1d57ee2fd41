import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { users } from "@/db/schema";
import { activeUserCondition } from "@/db/store/repositories/users";
import { inactiveReason, userMayAct } from "./active-user";

describe("who may act", () => {
  it("refuses a disabled user, demo or not, in either mode", () => {
    for (const demo of [false, true]) {
      for (const demoMode of [false, true]) expect(inactiveReason({ disabledAt: 5, demo }, demoMode)).toBe("disabled");
    }
  });

  it("lets a demo user act only while demo mode is on", () => {
    expect(userMayAct({ disabledAt: null, demo: true }, true)).toBe(true);
    expect(inactiveReason({ disabledAt: null, demo: true }, false)).toBe("demo");
  });

  it("lets an enabled real user act in either mode", () => {
    expect(userMayAct({ disabledAt: null, demo: false }, false)).toBe(true);
    expect(userMayAct({ disabledAt: null, demo: false }, true)).toBe(true);
  });

  it("selects the same users in SQL as the rule does in code", () => {
    const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-active-")), "test.db"));
    migrateDatabase(db);
    const rows = [
      { id: "real", demo: false, disabledAt: null },
      { id: "real-off", demo: false, disabledAt: 1 },
      { id: "demo", demo: true, disabledAt: null },
      { id: "demo-off", demo: true, disabledAt: 1 },
    ];
    for (const r of rows)
      db.raw
        .insert(users)
        .values({ ...r, email: `${r.id}@example.com`, name: r.id, createdAt: 0 })
        .run();
    for (const demoMode of [false, true]) {
      const selected = db.raw
        .select({ id: users.id })
        .from(users)
        .where(activeUserCondition(users, demoMode))
        .all()
        .map((r) => r.id)
        .sort();
      expect(selected).toEqual(
        rows
          .filter((r) => userMayAct(r, demoMode))
          .map((r) => r.id)
          .sort(),
      );
    }
  });
});
