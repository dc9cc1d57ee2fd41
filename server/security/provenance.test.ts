/**
 * Attacks on provenance, each written as the attack: a build of unknown origin slips past the allowed-refs
 * check, an artifact URL that is not a web address, a version that means something else somewhere else, and a
 * person's typed ref passing for CI's signed one.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { POST as webhookRoute } from "@/app/api/webhooks/ci/route";
import { artifacts } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, demoConfig, DIGEST_A } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { artifactUrlProblem, ArtifactVersion } from "@/server/services/artifacts";
import { BUILT, COMMIT, freshProcessDatabase, goodBody, rowCounts, SECRET, signedRequest, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import type { ServiceContext } from "@/server/services/context";
import { ServiceError } from "@/server/services/errors";
import { startRollout, type StartRolloutInput } from "@/server/services/rollouts";
import { realClock } from "@/server/engine/clock";

let f: ProcessFixture;
let dana: Actor;
let as: (actor: Actor) => ServiceContext;
let source = 0;

beforeEach(() => {
  f = freshProcessDatabase();
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
  dana = addUser(f.db, "dana", "Dana", ["deployer", "admin"]);
  as = (actor) => ({ db: f.db, config: f.config, actor, clock: realClock });
});
afterEach(() => f.cleanup());

async function refusal(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}
const start = (artifact: Record<string, unknown>, regions: string[] = ["us-east"]): StartRolloutInput => ({
  serviceId: "api",
  artifact: { version: "1.4.2", digest: DIGEST_A, ...artifact } as StartRolloutInput["artifact"],
  strategy: "sequential",
  regions,
});

describe("attack: a build without a source ref skips the allowed-refs check", () => {
  it("a protected environment refuses an artifact with no source ref, or no commit, and writes nothing", async () => {
    const noRef = await refusal(() => startRollout(as(dana), start({ commitSha: COMMIT })));
    expect(noRef.code).toBe("PRECONDITION_FAILED");
    expect(noRef.message).toContain("1.4.2 has no source ref, but production-us-east is protected");
    const noCommit = await refusal(() => startRollout(as(dana), start({ sourceRef: "refs/heads/main" })));
    expect(noCommit.message).toContain("has no commit");
    expect(rowCounts(f.db).rollouts).toBe(0);
    expect((await startRollout(as(dana), start(BUILT))).rolloutId).toEqual(expect.any(String));
  });

  it("the allowed refs still apply once the ref is given; an unprotected environment takes any build", async () => {
    expect((await refusal(() => startRollout(as(dana), start({ ...BUILT, sourceRef: "refs/heads/feature/x" })))).message).toContain(
      "only take builds from refs/heads/main",
    );
    const open = demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }]));
    expect((await startRollout({ ...as(dana), config: open }, start({}))).rolloutId).toEqual(expect.any(String));
  });
});

describe("attack: an artifact URL that is not a web address", () => {
  for (const url of ["javascript:alert(document.cookie)", "file:///etc/shadow", "data:text/html,<script>alert(1)</script>"]) {
    it(`refuses ${url.split(":")[0]}: on the dashboard and REST path`, async () => {
      const err = await refusal(() => startRollout(as(dana), start({ ...BUILT, url })));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toContain("artifact.url");
      expect(rowCounts(f.db).artifacts).toBe(0);
    });
  }

  it("refuses plain http unless the host is listed, and URLs outside the allowed prefixes", async () => {
    const policy = { allowHttpHosts: ["127.0.0.1"], allowedUrlPrefixes: [] as string[] };
    expect(artifactUrlProblem(policy, "http://mirror.example.com/api.tgz")).toContain("plain http to mirror.example.com is refused");
    expect(artifactUrlProblem(policy, "http://127.0.0.1:8080/api.tgz")).toBeNull();
    expect(artifactUrlProblem(policy, "https://mirror.example.com/api.tgz")).toBeNull();
    const prefixed = { allowHttpHosts: [], allowedUrlPrefixes: ["https://artifacts.acme.com/api/"] };
    expect(artifactUrlProblem(prefixed, "https://artifacts.acme.com/api/1.4.2.tgz?sig=x")).toBeNull();
    expect(artifactUrlProblem(prefixed, "https://artifacts.acme.com.evil.example/api/1.4.2.tgz")).toContain(
      "outside the config's artifacts.allowedUrlPrefixes",
    );

    f.config.artifacts = prefixed;
    expect((await refusal(() => startRollout(as(dana), start({ ...BUILT, url: "https://evil.example/api.tgz" })))).message).toContain("allowedUrlPrefixes");
  });

  it("the signed webhook follows the same URL rule", async () => {
    f.config.artifacts = { allowHttpHosts: [], allowedUrlPrefixes: ["https://artifacts.acme.com/"] };
    const body = goodBody();
    const res = await webhookRoute(signedRequest(body, { source: `10.8.0.${++source}` }));
    expect(res.status).toBe(400);
    const answer = await res.json();
    expect(answer.error).toContain("allowedUrlPrefixes");
    expect(answer.issues).toEqual([{ path: "artifact.url", message: expect.stringContaining("outside the config's artifacts.allowedUrlPrefixes") }]);
    expect(rowCounts(f.db).rollouts).toBe(0);
  });
});

describe("attack: a version one entry point accepts and another refuses", () => {
  const bad = ["1.4.2 beta", "../../etc/passwd", "-rf", "1.4.2\n", "x".repeat(129)];

  it("the dashboard, REST and the webhook refuse the same versions with the same words", async () => {
    const { token } = await createToken(as(dana), { name: "ci", scope: "deploy" });
    for (const version of bad) {
      const dashboard = await refusal(() => startRollout(as(dana), { ...start(BUILT), artifact: { version, digest: DIGEST_A, ...BUILT } }));
      expect(dashboard.message).toContain("expected a version such as 1.4.2");
      const rest = await startRolloutRoute(
        new Request("http://localhost/api/v1/rollouts", {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
          body: JSON.stringify({ ...start(BUILT), artifact: { version, digest: DIGEST_A, ...BUILT } }),
        }),
        { params: Promise.resolve({}) },
      );
      expect(rest.status).toBe(400);
      expect((await rest.json()).error).toContain("expected a version such as 1.4.2");
      const hook = await webhookRoute(signedRequest(goodBody({ artifact: { ...(goodBody().artifact as object), version } }), { source: `10.8.1.${++source}` }));
      expect(hook.status).toBe(400);
      expect((await hook.json()).error).toContain("expected a version such as 1.4.2");
    }
    for (const version of ["1.4.2", "2026.01.05+build.7", "v1.0.0-rc.1", "x".repeat(128)]) expect(ArtifactVersion.safeParse(version).success).toBe(true);
  });
});

describe("attack: a ref a person typed passes for CI's signed one", () => {
  it("artifacts from the signed webhook are marked webhook, those typed on the dashboard or REST manual", async () => {
    const hook = await webhookRoute(signedRequest(goodBody(), { source: `10.8.2.${++source}` }));
    expect(hook.status).toBe(202);
    await startRollout(as(dana), {
      ...start({ ...BUILT, sourceRef: "refs/heads/main" }),
      artifact: { version: "1.4.3", digest: `sha256:${"c".repeat(64)}`, ...BUILT },
      regions: ["eu-west"],
    });
    const byVersion = Object.fromEntries(
      f.db.raw
        .select()
        .from(artifacts)
        .all()
        .map((a) => [a.version, a.provenance]),
    );
    expect(byVersion["1.4.2"]).toBe("webhook");
    expect(byVersion["1.4.3"]).toBe("manual");
  });
});
