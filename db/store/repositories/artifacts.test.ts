/** Artifacts on both dialects: the release manifest round-trips as registered (JSON text, jsonb), and the live artifact of chosen regions. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, rawSql, type AnyStore } from "../test-stores";

const MANIFEST = {
  migrations: [
    { id: "0041_add_display_name", class: "expand" as const, description: "add column users.display_name" },
    { id: "0042_drop_legacy_name", class: "contract" as const, description: "drop column users.legacy_name" },
  ],
  readyFor: "1.6.0",
};

describe.each(DIALECTS)("artifacts on $dialect", ({ open }) => {
  let store: AnyStore;
  beforeEach(async () => {
    store = await freshStore(open);
    await rawSql(
      store,
      `insert into services (id, name, created_at) values ('api', 'API', 0), ('web', 'Web', 0);
       insert into regions (id, name, environment, sort_order, created_at) values ('us-east', 'US East', 'production-us-east', 1, 0), ('eu-west', 'EU West', 'production-eu-west', 2, 0), ('apac-se', 'APAC', 'production-apac-se', 3, 0);`,
    );
  });
  afterEach(async () => {
    await store.close();
  });

  const artifact = (id: string, serviceId: string, version: string, manifest: typeof MANIFEST | null) => ({
    id,
    serviceId,
    version,
    digest: `sha256:${id.padStart(64, "0")}`,
    manifest,
    createdAt: 0,
  });

  it("keeps the manifest as registered, migrations in order, and null for none", async () => {
    expect((await store.artifacts.insertIfAbsent(artifact("1", "api", "1.5.0", MANIFEST)))?.manifest).toEqual(MANIFEST);
    await store.artifacts.insertIfAbsent(artifact("2", "api", "1.5.1", null));
    expect((await store.artifacts.byServiceVersion("api", "1.5.0"))?.manifest).toEqual(MANIFEST);
    expect((await store.artifacts.byId("2"))?.manifest).toBeNull();
  });

  it("liveInRegions: the artifact each chosen region serves for the service, none where nothing is live", async () => {
    await store.artifacts.insertIfAbsent(artifact("1", "api", "1.4.1", MANIFEST));
    await store.artifacts.insertIfAbsent(artifact("2", "web", "3.0.0", null));
    await rawSql(
      store,
      `insert into region_states (service_id, region_id, live_colour, live_artifact_id, green_pct, updated_at)
         values ('api', 'us-east', 'blue', '1', 0, 0), ('api', 'eu-west', 'blue', null, 0, 0), ('api', 'apac-se', 'blue', '1', 0, 0), ('web', 'us-east', 'blue', '2', 0, 0);`,
    );
    const live = await store.artifacts.liveInRegions("api", ["us-east", "eu-west"]);
    expect(live.map((l) => [l.regionId, l.artifact.version, l.artifact.manifest?.readyFor])).toEqual([["us-east", "1.4.1", "1.6.0"]]);
    expect(await store.artifacts.liveInRegions("api", [])).toEqual([]);
  });
});
