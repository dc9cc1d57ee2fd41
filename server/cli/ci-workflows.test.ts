/**
 * docs/ci/*.yml are valid GitHub Actions workflows, checked by GitHub's own parser (@actions/workflow-parser), with
 * the spec's inputs; the artifact is published where hosts fetch it (a release asset or an S3-compatible bucket,
 * by input) and its URL is what the webhook names; the webhook step signs exactly as the server verifies. The
 * steps' shell lines run here with bash, openssl, curl and the aws CLI against local servers.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parse } from "yaml";
import { regionRollouts, rollouts } from "@/db/schema";
import { SECRET, freshProcessDatabase, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { startRouteServer } from "./http-server.fixtures";

type Step = { name?: string; id?: string; if?: string; run?: string; uses?: string; env?: Record<string, string>; "working-directory"?: string };
type Job = {
  "runs-on": string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
};
type Workflow = {
  name: string;
  on: { workflow_dispatch: { inputs: Record<string, { type: string; options?: string[]; required?: boolean; default?: string }> } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

const CI_DIR = path.join(process.cwd(), "docs/ci");
const load = (file: string) => parse(readFileSync(path.join(CI_DIR, file), "utf8")) as Workflow;

/** What GitHub's own parser says of a workflow: schema and expression errors, then the conversion's (jobs, needs). */
async function githubErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !parsed.value) return errors.length ? errors : [`${name}: nothing parsed`];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((e) => e.Message);
}

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
  it.each(readdirSync(CI_DIR).filter((f) => f.endsWith(".yml")))("%s passes GitHub's own workflow parser", async (file) => {
    expect(await githubErrors(file, readFileSync(path.join(CI_DIR, file), "utf8"))).toEqual([]);
  });

  it("GitHub's parser does catch a broken workflow (a bad expression, an unknown key, a job that needs no job)", async () => {
    const text = readFileSync(path.join(CI_DIR, "multi-region-deployment.yml"), "utf8");
    expect(await githubErrors("bad.yml", text.replace("if: inputs.artifact_store == 's3'", "if: inputs.artifact_store == ('s3'"))).toEqual([
      expect.stringMatching(/bad\.yml \(Line: \d+, Col: \d+\): Unexpected end of expression/),
    ]);
    expect(await githubErrors("bad.yml", text.replace("timeout-minutes: 480", "timeout-minute: 480"))).toEqual([
      expect.stringMatching(/Unexpected value 'timeout-minute'/),
    ]);
    expect(await githubErrors("bad.yml", text.replace("needs: [build, publish]", "needs: [build, publsh]"))).toEqual([expect.stringMatching(/publsh/)]);
  });

  it("multi-region-deployment.yml takes the spec's inputs, builds once and waits with the CLI", () => {
    const wf = load("multi-region-deployment.yml");
    expectValidWorkflow(wf);
    const inputs = wf.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs).sort()).toEqual(["artifact_store", "delay_between_regions", "deployment_strategy", "regions"]);
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

describe("publishing the artifact where hosts fetch it", () => {
  const wf = load("multi-region-deployment.yml");
  const publish = wf.jobs.publish;
  const stepOf = (name: string) => publish.steps.find((s) => s.name === name)!;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "fd-publish-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const FILE = "app-0123456789abcdef0123456789abcdef01234567.tar.gz";
  const bytes = Buffer.from("the artifact's bytes\n");
  const DIGEST = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

  /** One step's shell lines with bash -e, as a runner runs them, in a work dir holding the built file. */
  async function run(step: Step, env: Record<string, string>) {
    writeFileSync(path.join(dir, FILE), bytes);
    const output = path.join(dir, "output");
    writeFileSync(output, "");
    const result = await promisify(execFile)("bash", ["-e", "-c", step.run!], {
      cwd: dir,
      env: {
        PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
        HOME: dir,
        FILE,
        VERSION: "1.4.2+0123456",
        DIGEST,
        GITHUB_OUTPUT: output,
        NODE_ENV: "test",
        ...env,
      },
    });
    return { ...result, output: readFileSync(output, "utf8") };
  }

  it("chooses the store by the artifact_store input, writes releases only in the publish job, and the webhook names the published URL", () => {
    expect(wf.on.workflow_dispatch.inputs.artifact_store).toEqual({
      description: expect.any(String),
      required: true,
      default: "github-release",
      type: "choice",
      options: ["github-release", "s3"],
    });
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(wf.jobs.build.permissions).toBeUndefined();
    expect(publish).toMatchObject({
      needs: "build",
      permissions: { contents: "write" },
      outputs: { url: "${{ steps.release.outputs.url || steps.s3.outputs.url }}" },
    });
    expect(stepOf("Publish as a GitHub release asset").if).toBe("inputs.artifact_store == 'github-release'");
    expect(stepOf("Publish to the S3-compatible bucket").if).toBe("inputs.artifact_store == 's3'");
    // GitHub's artifact store only hands the file from build to publish; the hosts' URL comes from publish.
    const uploads = Object.entries(wf.jobs).flatMap(([id, job]) => job.steps.filter((s) => s.uses?.startsWith("actions/upload-artifact")).map(() => id));
    expect(uploads).toEqual(["build"]);
    expect(wf.jobs.deploy.needs).toEqual(["build", "publish"]);
    expect(wf.jobs.deploy.steps.find((s) => s.name === "Sign and send the webhook")!.env!.ARTIFACT_URL).toBe("${{ needs.publish.outputs.url }}");
  });

  it("puts the file in an S3-compatible bucket with the aws CLI, names its URL, and never replaces an object", async () => {
    const objects = new Map<string, Buffer>();
    const seen: string[] = [];
    const s3: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push(`${req.method} ${req.url} ${/Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "-"}`);
        const key = req.url!.split("?")[0];
        if (req.method === "PUT") {
          objects.set(key, Buffer.concat(chunks));
          return res.writeHead(200, { etag: '"x"' }).end();
        }
        const object = objects.get(key);
        if (!object) return res.writeHead(404).end();
        res.writeHead(200, { "content-length": object.length });
        res.end(req.method === "HEAD" ? undefined : object);
      });
    });
    await new Promise<void>((resolve) => s3.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
    try {
      const env = {
        AWS_ACCESS_KEY_ID: "AKIAFLIGHTDECKTEST",
        AWS_SECRET_ACCESS_KEY: "not-a-real-secret",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        ENDPOINT: endpoint,
        BUCKET: "releases",
        BASE_URL: `${endpoint}/releases/`,
      };
      const step = stepOf("Publish to the S3-compatible bucket");
      const first = await run(step, env);
      const url = `${endpoint}/releases/artifacts/${FILE}`;
      expect(first.output).toBe(`url=${url}\n`);
      expect(objects.get(`/releases/artifacts/${FILE}`)).toEqual(bytes);
      expect(seen).toContain(`PUT /releases/artifacts/${FILE} AKIAFLIGHTDECKTEST`);

      await expect(run(step, env)).rejects.toMatchObject({
        stdout: expect.stringContaining(`s3://releases/artifacts/${FILE} exists already: an artifact is never replaced`),
      });

      const check = publish.steps.find((s) => s.name?.startsWith("Check a host can fetch it"))!;
      expect((await run(check, { URL: url })).stdout).toContain("fetched: OK");
      objects.set(`/releases/artifacts/${FILE}`, Buffer.from("other bytes\n"));
      await expect(run(check, { URL: url })).rejects.toMatchObject({ stdout: expect.stringContaining("fetched: FAILED") });
    } finally {
      s3.close();
    }
  }, 60_000);

  it("creates the release once and uploads the asset without replacing one, naming the asset's download URL", async () => {
    // gh as GitHub's API would answer it: no release yet, then the asset's browser download URL.
    mkdirSync(path.join(dir, "bin"));
    const gh = path.join(dir, "bin", "gh");
    writeFileSync(
      gh,
      `#!/bin/sh
echo "gh $*" >> "$HOME/calls"
case "$1 $2" in
  "release view") case "$*" in *--json*) echo "https://github.com/octo/api/releases/download/$3/$FILE" ;; *) [ -e "$HOME/created" ] ;; esac ;;
  "release create") touch "$HOME/created" ;;
  "release upload") [ ! -e "$HOME/uploaded" ] || { echo "asset under the same name already exists" >&2; exit 1; }; touch "$HOME/uploaded" ;;
esac
`,
    );
    chmodSync(gh, 0o755);
    const step = stepOf("Publish as a GitHub release asset");
    const env = { GH_TOKEN: "ghs_test", GITHUB_REPOSITORY: "octo/api", GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" };
    const { output } = await run(step, env);
    expect(output).toBe(`url=https://github.com/octo/api/releases/download/v1.4.2+0123456/${FILE}\n`);
    const calls = readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    expect(calls[1]).toMatch(/^gh release create v1\.4\.2\+0123456 --repo octo\/api --target 0123456789abcdef0123456789abcdef01234567 /);
    expect(calls[2]).toBe(`gh release upload v1.4.2+0123456 ${FILE} --repo octo/api`);
    await expect(run(step, env)).rejects.toMatchObject({ stderr: expect.stringContaining("asset under the same name already exists") });
  });
});
