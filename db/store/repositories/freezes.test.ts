/** The stop-all row on both dialects: one in force at a time, a lift that finds none changes nothing, the held region rollouts woken. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, rawRows, rawSql, type AnyStore } from "../test-stores";

describe.each(DIALECTS)("freezes on $dialect", ({ open }) => {
  let store: AnyStore;
  beforeEach(async () => {
    store = await freshStore(open);
  });
  afterEach(async () => {
    await store.close();
  });

  it("the stop-all in force is the one not lifted; lifting it twice lifts it once", async () => {
    expect(await store.freezes.active()).toBeNull();
    await store.freezes.insert({ id: "f1", reason: "incident INC-7", declaredBy: "user:sam", declaredAt: 1_000 });
    expect(await store.freezes.active()).toMatchObject({ id: "f1", reason: "incident INC-7", declaredAt: 1_000, liftedAt: null });
    expect(await store.freezes.liftActive("user:ada", 2_000)).toMatchObject({ id: "f1", liftedBy: "user:ada", liftedAt: 2_000 });
    expect(await store.freezes.liftActive("user:ada", 3_000)).toBeNull();
    expect(await store.freezes.active()).toBeNull();
    expect(await store.freezes.count()).toBe(1);
  });

  it("wakeHeld makes every held region rollout due now and bumps its version, and no other", async () => {
    await rawSql(
      store,
      `insert into services (id, name, created_at) values ('api', 'API', 0);
       insert into regions (id, name, environment, sort_order, created_at) values ('us-east', 'US East', 'production-us-east', 1, 0), ('eu-west', 'EU West', 'production-eu-west', 2, 0);
       insert into artifacts (id, service_id, version, digest, created_at) values ('a1', 'api', '1.0.0', 'sha256:${"a".repeat(64)}', 0);
       insert into rollouts (id, service_id, artifact_id, strategy, initiator, correlation_id, created_at) values ('r1', 'api', 'a1', 'parallel', 'user:dana', 'c1', 0);
       insert into region_rollouts (id, rollout_id, region_id, position, phase, next_tick_at, from_colour, to_colour, updated_at, freeze_held_at)
         values ('held', 'r1', 'us-east', 0, 'canary', 9000, 'blue', 'green', 0, 500), ('free', 'r1', 'eu-west', 1, 'canary', 9000, 'blue', 'green', 0, null);`,
    );
    expect(await store.freezes.wakeHeld(4_000)).toBe(1);
    const rows = await rawRows<{ id: string; next_tick_at: number | string; version: number | string }>(
      store,
      "select id, next_tick_at, version from region_rollouts order by id",
    );
    expect(rows.map((r) => [r.id, Number(r.next_tick_at), Number(r.version)])).toEqual([
      ["free", 9000, 0],
      ["held", 4000, 1],
    ]);
  });
});
