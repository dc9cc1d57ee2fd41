/** The CI webhook's optional release manifest (artifact.manifest): stored with the artifact, judged by the schema gate, and refused by field. */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/ci/route";
import { artifacts, events, regionStates } from "@/db/schema";
import { DIGEST_B, goodBody, rowCounts, SECRET, signedRequest, freshProcessDatabase, type ProcessFixture } from "./ci-webhook.fixtures";

let f: ProcessFixture;
let source = 0;
const from = () => `10.7.0.${++source}`;

beforeEach(() => {
  f = freshProcessDatabase();
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
});
afterEach(() => f.cleanup());

async function send(body: unknown) {
  const res = await POST(signedRequest(body, { source: from() }));
  return { status: res.status, body: await res.json() };
}

const DROP = { id: "0042_drop_legacy_name", class: "contract", description: "drop column users.legacy_name" };
const withManifest = (version: string, digest: string, manifest: unknown) =>
  goodBody({ artifact: { version, digest, url: `https://artifacts.example.com/api/${version}.tar.gz`, manifest } });

/** 1.4.1 live in us-east, registered with `manifest`, as a finished rollout would leave it. */
function live141(manifest: unknown) {
  f.db.raw
    .insert(artifacts)
    .values({ id: "a141", serviceId: "api", version: "1.4.1", digest: DIGEST_B, manifest: manifest as never, createdAt: 0 })
    .run();
  f.db.raw.update(regionStates).set({ liveArtifactId: "a141" }).where(eq(regionStates.regionId, "us-east")).run();
}

describe("POST /api/webhooks/ci with a release manifest", () => {
  it("keeps every existing body working: no manifest, no verdict recorded", async () => {
    const res = await send(goodBody());
    expect(res.status).toBe(202);
    expect(f.db.raw.select().from(artifacts).all()[0].manifest).toBeNull();
    expect(
      f.db.raw
        .select()
        .from(events)
        .all()
        .some((e) => e.type === "rollout.schema_checked"),
    ).toBe(false);
  });

  it("refuses a contract release the live release does not declare readyFor with 403, naming the migration and the region; nothing written", async () => {
    live141({ migrations: [], readyFor: null });
    const before = rowCounts(f.db);
    const res = await send(withManifest("1.5.0", `sha256:${"c".repeat(64)}`, { migrations: [DROP] }));
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('contract migration 0042_drop_legacy_name ("drop column users.legacy_name")');
    expect(res.body.error).toContain("1.4.1 live in us-east does not declare readyFor 1.5.0; ship an expand release first.");
    expect(rowCounts(f.db)).toEqual(before);
  });

  it("starts it when the live release declares readyFor 1.5.0: the manifest is stored and the verdict recorded", async () => {
    live141({ migrations: [], readyFor: "1.5.0" });
    const res = await send(withManifest("1.5.0", `sha256:${"c".repeat(64)}`, { migrations: [DROP] }));
    expect(res.status).toBe(202);
    const stored = f.db.raw.select().from(artifacts).where(eq(artifacts.version, "1.5.0")).get();
    expect(stored?.manifest).toEqual({ migrations: [DROP], readyFor: null });
    const checked = f.db.raw.select().from(events).where(eq(events.type, "rollout.schema_checked")).get();
    expect(checked).toMatchObject({ rolloutId: res.body.rolloutId, data: { outcome: "pass" } });
  });

  it("answers a bad manifest with 400 and one issue per field, by its path in the body", async () => {
    const res = await send(withManifest("1.5.0", `sha256:${"c".repeat(64)}`, { migrations: [{ id: "0042", class: "drop" }], readyFor: "not a version!" }));
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual(
      expect.arrayContaining([
        { path: "artifact.manifest.migrations[0].class", message: 'expected expand, contract or none, got "drop"' },
        { path: "artifact.manifest.migrations[0].description", message: expect.any(String) },
        { path: "artifact.manifest.readyFor", message: "expected a version such as 1.4.2 (letters, digits, . _ + -; at most 128)" },
      ]),
    );
  });
});
