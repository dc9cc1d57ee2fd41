/**
 * docs/ci/*.yml are valid GitHub Actions workflows with the spec's inputs, and the webhook step signs exactly as
 * the server verifies: its shell lines run here with sh, openssl and curl against a local server.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { regionRollouts, rollouts } from "@/db/schema";
import { SECRET, freshProcessDatabase, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { startRouteServer } from "./http-server.fixtures";

type Step = { name?: string; run?: string; uses?: string; env?: Record<string, string>; "working-directory"?: string };
type Workflow = {
  name: string;
  on: { workflow_dispatch: { inputs: Record<string, { type: string; options?: string[]; required?: boolean }> } };
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
};

const load = (file: string) => parse(readFileSync(path.join(process.cwd(), "docs/ci", file), "utf8")) as Workflow;

function expectValidWorkflow(wf: Workflow) {
  expect(wf.name).toEqual(expect.any(String));
  for (const [id, job] of Object.entries(wf.jobs)) {
    expect(job["runs-on"], id).toBe("ubuntu-latest");
    expect(job.steps.length, id).toBeGreaterThan(0);
    for (const step of job.steps) expect(Boolean(step.run) !== Boolean(step.uses), `${id}: ${JSON.stringify(step)}`).toBe(true);
  }
}
const allSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps);

describe("docs/ci workflows", () => {
  it("multi-region-deployment.yml takes the spec's inputs, builds once and waits with the CLI", () => {
    const wf = load("multi-region-deployment.yml");
    expectValidWorkflow(wf);
    const inputs = wf.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs).sort()).toEqual(["delay_between_regions", "deployment_strategy", "regions"]);
    expect(inputs.deployment_strategy.options).toEqual(["sequential", "delayed", "parallel"]);
    const runs = allSteps(wf)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(runs.match(/npm run build/g)).toHaveLength(1);
    expect(runs).toContain("sha256sum");
    expect(runs).toMatch(/npx --no-install flightdeck rollout wait "\$ROLLOUT_ID"/);
  });

  it("emergency-rollback.yml takes a region (a short name, an id, or all) and calls flightdeck rollback, waiting until it is back", () => {
    const wf = load("emergency-rollback.yml");
    expectValidWorkflow(wf);
    expect(wf.on.workflow_dispatch.inputs.region).toMatchObject({ required: true, type: "string" });
    const runs = allSteps(wf)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(runs).toContain('flightdeck rollback --region "$REGION" --wait');
    expect(runs).toContain('flightdeck rollback --all --service "$SERVICE" --idempotency-key "$RUN_KEY" --wait');
    // Least privilege: the token that can only roll back, never start or steer a rollout.
    const tokens = allSteps(wf).flatMap((s) => (s.env?.FLIGHTDECK_TOKEN ? [s.env.FLIGHTDECK_TOKEN] : []));
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) expect(t).toBe("${{ secrets.FLIGHTDECK_ROLLBACK_TOKEN }}");
  });
});

describe("the workflow's webhook step", () => {
  let f: ProcessFixture;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  let dir: string;
  beforeEach(async () => {
    f = freshProcessDatabase();
    process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
    server = await startRouteServer();
    dir = mkdtempSync(path.join(tmpdir(), "fd-gha-"));
  });
  afterEach(async () => {
    await server.close();
    f.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const webhookStep = () => allSteps(load("multi-region-deployment.yml")).find((s) => s.name === "Sign and send the webhook")!;

  async function runStep(inputs: Record<string, string>) {
    const env = {
      PATH: process.env.PATH,
      FLIGHTDECK_URL: server.url,
      FLIGHTDECK_WEBHOOK_SECRET: SECRET,
      SERVICE: "api",
      VERSION: "1.4.2+abc1234",
      DIGEST: `sha256:${"c".repeat(64)}`,
      ARTIFACT_URL: "https://artifacts.example.com/app.tar.gz",
      REF: "refs/heads/main",
      COMMIT: "abc1234".padEnd(40, "0"),
      ACTOR: "octocat",
      DELIVERY_ID: "gh-1-1",
      GITHUB_OUTPUT: path.join(dir, "output"),
      ...inputs,
    };
    return promisify(execFile)("sh", ["-c", webhookStep().run!], { cwd: dir, env: { ...env, NODE_ENV: "test" } });
  }

  it("signs and sends a delivery the server accepts, and hands the rollout id to the next step", async () => {
    expect(Object.keys(webhookStep().env!)).toEqual(expect.arrayContaining(["FLIGHTDECK_WEBHOOK_SECRET", "REGIONS", "STRATEGY", "DELAY", "DELIVERY_ID"]));
    const { stdout } = await runStep({ STRATEGY: "delayed", REGIONS: "us-east, eu-west", DELAY: "90" });
    const [row] = f.db.raw.select().from(rollouts).all();
    expect(row).toMatchObject({ strategy: "delayed", delayMinutes: 90, initiator: "webhook:gh-1-1", ciActor: "octocat" });
    expect(stdout).toContain(`"rolloutId":"${row.id}"`);
    expect(readFileSync(path.join(dir, "output"), "utf8")).toBe(`rollout_id=${row.id}\n`);
  });

  it("takes the spec's short region names (us, eu, apac)", async () => {
    await runStep({ STRATEGY: "parallel", REGIONS: "us, apac", DELAY: "" });
    const [row] = f.db.raw.select().from(rollouts).all();
    expect(
      f.db.raw
        .select()
        .from(regionRollouts)
        .all()
        .filter((r) => r.rolloutId === row.id)
        .map((r) => r.regionId)
        .sort(),
    ).toEqual(["apac-se", "us-east"]);
  });

  it("fails the step when Flightdeck refuses (a wrong secret is a 401), and starts nothing", async () => {
    await expect(runStep({ STRATEGY: "parallel", REGIONS: "all", DELAY: "", FLIGHTDECK_WEBHOOK_SECRET: "not-the-right-secret!" })).rejects.toMatchObject({
      stdout: expect.stringContaining("refused the delivery (401)"),
    });
    expect(f.db.raw.select().from(rollouts).all()).toHaveLength(0);
  });
});
