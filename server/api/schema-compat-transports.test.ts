/**
 * The schema-compatibility gate through REST (the CLI's transport): a contract release the live release does not
 * declare readyFor is refused 412 in the words of every transport with nothing written; an admin's token overrides
 * it with a reason (recorded); a bad manifest is refused 400 by the field's path in the body.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { artifacts, events, regionStates, rollouts } from "@/db/schema";
import { realClock } from "@/server/engine/clock";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { COMMIT, DIGEST_A, DIGEST_B, freshProcessDatabase, rowCounts, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";

const REFUSAL =
  'api: 1.5.0 carries contract migration 0042_drop_legacy_name ("drop column users.legacy_name"), which the live release must tolerate while blue and green share the database: 1.4.1 live in us-east does not declare readyFor 1.5.0; ship an expand release first. An admin may start it anyway with a schema override reason.';
const DROP = { id: "0042_drop_legacy_name", class: "contract", description: "drop column users.legacy_name" };

let f: ProcessFixture;
let token: string;

beforeEach(async () => {
  f = freshProcessDatabase();
  const ada = addUser(f.db, "ada", "Ada", ["admin"]);
  token = (await createToken({ db: f.db, config: f.config, actor: ada, clock: realClock }, { name: "ci", scope: "deploy" })).token;
  f.db.raw.insert(artifacts).values({ id: "a141", serviceId: "api", version: "1.4.1", digest: DIGEST_B, createdAt: 0 }).run();
  f.db.raw.update(regionStates).set({ liveArtifactId: "a141" }).where(eq(regionStates.regionId, "us-east")).run();
});
afterEach(() => f.cleanup());

const body = (manifest: unknown, extra: Record<string, unknown> = {}) => ({
  serviceId: "api",
  artifact: {
    version: "1.5.0",
    digest: DIGEST_A,
    url: "https://artifacts.example.com/api/1.5.0.tar.gz",
    sourceRef: "refs/heads/main",
    commitSha: COMMIT,
    manifest,
  },
  strategy: "sequential",
  regions: ["us-east"],
  ...extra,
});

async function post(token: string, json: unknown) {
  const res = await startRolloutRoute(
    new Request("http://localhost/api/v1/rollouts", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(json) }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as { error?: string; issues?: unknown; rolloutId?: string } };
}

describe("POST /api/v1/rollouts with a release manifest", () => {
  it("refuses a contract release 412 with nothing written; an admin's token starts it with a reason, recorded", async () => {
    const before = rowCounts(f.db);
    expect(await post(token, body({ migrations: [DROP] }))).toEqual({ status: 412, body: expect.objectContaining({ error: REFUSAL }) });
    expect(rowCounts(f.db)).toEqual(before);

    const started = await post(token, body({ migrations: [DROP] }, { schemaOverrideReason: "legacy_name is unread" }));
    expect(started.status).toBe(202);
    expect(f.db.raw.select().from(rollouts).where(eq(rollouts.id, started.body.rolloutId!)).get()?.schemaOverrideReason).toBe("legacy_name is unread");
    expect(f.db.raw.select().from(events).where(eq(events.type, "rollout.schema_override")).all()).toHaveLength(1);
  });

  it("refuses a bad manifest 400, naming each field by its path in the body", async () => {
    const res = await post(token, body({ migrations: [{ ...DROP, class: "rename" }], readyFor: 15 }));
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual(
      expect.arrayContaining([
        { path: "artifact.manifest.migrations[0].class", message: 'expected expand, contract or none, got "rename"' },
        { path: "artifact.manifest.readyFor", message: expect.any(String) },
      ]),
    );
  });
});
