/** Quarantines on both dialects: one in force per digest, a lift is a conditional write, the regions still running a digest. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, rawSql, type AnyStore } from "../test-stores";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const row = (id: string, digest: string, at: number) => ({
  id,
  serviceId: "api",
  digest,
  artifactId: "a1",
  version: "1.0.0",
  cause: "error rate 1.2 % > 0.8 %",
  regionId: "eu-west",
  rolloutId: "r1",
  regionRolloutId: "rr-eu",
  at,
});

describe.each(DIALECTS)("quarantines on $dialect", ({ open }) => {
  let store: AnyStore;
  beforeEach(async () => {
    store = await freshStore(open);
  });
  afterEach(async () => {
    await store.close();
  });

  it("the one in force is found by service and digest; lifting it twice lifts it once; lifted ones are listed with all", async () => {
    await store.quarantines.insert(row("q1", A, 1_000));
    await store.quarantines.insert(row("q2", B, 2_000));
    expect(await store.quarantines.activeFor("api", A)).toMatchObject({ id: "q1", liftedAt: null });
    expect(await store.quarantines.activeFor("web", A)).toBeNull();
    expect(await store.quarantines.lift("q1", "user:sam", "metrics fault", 3_000)).toMatchObject({
      id: "q1",
      liftedBy: "user:sam",
      liftReason: "metrics fault",
    });
    expect(await store.quarantines.lift("q1", "user:ada", "again", 4_000)).toBeNull();
    expect(await store.quarantines.activeFor("api", A)).toBeNull();
    expect((await store.quarantines.list({ activeOnly: true, limit: 10 })).map((q) => q.id)).toEqual(["q2"]);
    expect((await store.quarantines.list({ activeOnly: false, serviceId: "api", limit: 10 })).map((q) => q.id)).toEqual(["q2", "q1"]);
    expect((await store.quarantines.activeAmong("api", [A, B])).map((q) => q.id)).toEqual(["q2"]);
  });

  it("runningElsewhere: the unfinished region rollouts of the digest but the one rolled back", async () => {
    await rawSql(
      store,
      `insert into services (id, name, created_at) values ('api', 'API', 0);
       insert into regions (id, name, environment, sort_order, created_at) values ('us-east', 'US East', 'production-us-east', 1, 0), ('eu-west', 'EU West', 'production-eu-west', 2, 0), ('apac-se', 'APAC', 'production-apac-se', 3, 0);
       insert into artifacts (id, service_id, version, digest, created_at) values ('a1', 'api', '1.0.0', '${A}', 0), ('a2', 'api', '2.0.0', '${B}', 0);
       insert into rollouts (id, service_id, artifact_id, strategy, initiator, correlation_id, created_at) values ('r1', 'api', 'a1', 'parallel', 'user:dana', 'c1', 0), ('r2', 'api', 'a2', 'parallel', 'user:dana', 'c2', 0);
       insert into region_rollouts (id, rollout_id, region_id, position, phase, next_tick_at, from_colour, to_colour, updated_at)
         values ('rr-eu', 'r1', 'eu-west', 0, 'rolled_back', 0, 'blue', 'green', 0), ('rr-us', 'r1', 'us-east', 0, 'canary', 0, 'blue', 'green', 0),
                ('rr-ap', 'r1', 'apac-se', 0, 'succeeded', 0, 'blue', 'green', 0), ('rr-other', 'r2', 'apac-se', 0, 'canary', 0, 'blue', 'green', 0);`,
    );
    expect(await store.quarantines.runningElsewhere("api", A, "rr-eu", ["succeeded", "rolled_back", "blocked", "aborted"])).toEqual([
      { regionRolloutId: "rr-us", regionId: "us-east", rolloutId: "r1", correlationId: "c1" },
    ]);
  });
});
