import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../types";
import { batchScript, DIGEST_MISMATCH_EXIT, fillPlaceholders, planDeploy, splitBatchOutput, type DeployPlanInput } from "./deploy-script";
import { parseStatus, planStatus } from "./status-script";

const HEX = "ab".repeat(32);
const base: DeployPlanInput = {
  installDir: "/opt/flightdeck",
  colour: "green",
  version: "1.4.2",
  digest: `sha256:${HEX}`,
  url: "http://artifacts.internal/api-1.4.2.tar.gz",
  transfer: "fetch",
  restartCommand: "sudo systemctl restart api-{colour}",
  healthUrl: "http://{host}:{port}/health",
  host: "10.0.0.7",
  port: 8081,
  correlationId: "corr-1",
  healthAttempts: 3,
};

describe("planDeploy: the steps, in order, digest first", () => {
  it.each([
    ["fetch", ["prepare", "fetch", "verify", "install", "switch", "restart", "record", "health"]],
    ["upload", ["prepare", "upload", "verify", "install", "switch", "restart", "record", "health"]],
  ] as const)("%s: %j", (transfer, names) => {
    const plan = planDeploy({ ...base, transfer });
    expect(plan.steps.map((s) => s.name)).toEqual(names);
    expect(plan.releaseDir).toBe("/opt/flightdeck/green/releases/1.4.2");
    expect(plan.stagingFile).toBe(`/opt/flightdeck/green/.incoming/1.4.2-${HEX.slice(0, 12)}.artifact`);
  });

  it("no health URL, no health step", () => {
    expect(planDeploy({ ...base, healthUrl: undefined }).steps.map((s) => s.name)).not.toContain("health");
  });

  it("an installDir with {colour} is the colour's own directory", () => {
    expect(planDeploy({ ...base, installDir: "/srv/hosts/us-east/{colour}" }).releaseDir).toBe("/srv/hosts/us-east/green/releases/1.4.2");
  });

  it("fills the placeholders of the restart command and exports the correlation id", () => {
    const restart = planDeploy(base).steps.find((s) => s.name === "restart");
    expect(restart?.kind === "exec" && restart.command).toContain("sudo systemctl restart api-green");
    expect(restart?.kind === "exec" && restart.command).toContain("export FLIGHTDECK_CORRELATION_ID='corr-1'");
    const health = planDeploy(base).steps.find((s) => s.name === "health");
    expect(health?.kind === "exec" && health.command).toContain("url='http://10.0.0.7:8081/health'");
  });

  it.each([
    [{ version: "../../etc" }, /version "..\/..\/etc" cannot name a directory/],
    [{ version: "1.0 && rm -rf /" }, /cannot name a directory/],
    [{ digest: "sha256:abc" }, /is not sha256:<64 lowercase hex digits>/],
    [{ digest: `md5:${HEX}` }, /is not sha256/],
    [{ installDir: "relative/dir" }, /must be an absolute path/],
    [{ installDir: "/opt/../etc" }, /must be an absolute path/],
    [{ installDir: "/opt/$(id)" }, /must be an absolute path/],
    [{ url: null }, /has no http\(s\) URL for the host to fetch/],
    [{ url: "file:///etc/passwd" }, /has no http\(s\) URL/],
  ])("refuses %j", (change, message) => {
    expect(() => planDeploy({ ...base, ...change })).toThrow(ProviderError);
    expect(() => planDeploy({ ...base, ...change })).toThrow(message);
  });

  it("upload mode needs no URL", () => {
    expect(() => planDeploy({ ...base, transfer: "upload", url: null })).not.toThrow();
  });

  it("fillPlaceholders leaves other braces alone", () => {
    expect(fillPlaceholders("{colour}:{port} {other}", { colour: "blue", host: "h", port: 1, version: "v", releaseDir: "/r" })).toBe("blue:1 {other}");
  });
});

describe("the step scripts, run by sh on this machine", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function setup(content: string) {
    dir = mkdtempSync(path.join(tmpdir(), "deploy-script-"));
    const payload = path.join(dir, "payload");
    mkdirSync(payload);
    writeFileSync(path.join(payload, "server.mjs"), content);
    const tarball = path.join(dir, "artifact.tar.gz");
    spawnSync("tar", ["-czf", tarball, "-C", payload, "."]);
    const hex = createHash("sha256").update(readFileSync(tarball)).digest("hex");
    return { tarball, hex };
  }

  const run = (command: string) => spawnSync("sh", ["-c", command], { encoding: "utf8" });

  function stepsFor(hex: string, extra: Partial<DeployPlanInput> = {}) {
    const plan = planDeploy({
      ...base,
      installDir: path.join(dir, "install"),
      digest: `sha256:${hex}`,
      transfer: "upload",
      healthUrl: undefined,
      restartCommand: "echo restarted $FLIGHTDECK_COLOUR $FLIGHTDECK_CORRELATION_ID",
      ...extra,
    });
    const cmd = (name: string) => {
      const step = plan.steps.find((s) => s.name === name);
      if (step?.kind !== "exec") throw new Error(`no exec step ${name}`);
      return step.command;
    };
    return { plan, cmd };
  }

  it("verify, install, switch and restart put the release in place and point current at it", () => {
    const { tarball, hex } = setup("console.log('v1')");
    const { plan, cmd } = stepsFor(hex);
    expect(run(cmd("prepare")).status).toBe(0);
    writeFileSync(plan.stagingFile, readFileSync(tarball));
    const verify = run(cmd("verify"));
    expect(verify.stdout).toContain(`digest verified on the host: sha256:${hex}`);
    expect(run(cmd("install")).status).toBe(0);
    expect(readFileSync(path.join(plan.releaseDir, "server.mjs"), "utf8")).toBe("console.log('v1')");
    expect(readFileSync(path.join(plan.releaseDir, ".flightdeck-digest"), "utf8").trim()).toBe(`sha256:${hex}`);
    expect(existsSync(plan.stagingFile)).toBe(false);
    expect(run(cmd("switch")).status).toBe(0);
    expect(readlinkSync(path.join(dir, "install/green/current"))).toBe("releases/1.4.2");
    const restart = run(cmd("restart"));
    expect(restart.stdout.trim()).toBe("restarted green corr-1");
    expect(run(cmd("record")).status).toBe(0);
    expect(readFileSync(path.join(plan.releaseDir, ".flightdeck-restarted"), "utf8").trim()).toBe(`sha256:${hex}`);
  });

  it("the status script reads what each step left: nothing, switched but not restarted, restarted", () => {
    const { tarball, hex } = setup("console.log('v1')");
    const { plan, cmd } = stepsFor(hex);
    const status = () => {
      const check = planStatus({ installDir: path.join(dir, "install"), colour: "green", version: "1.4.2", host: "127.0.0.1" });
      const out = run(check.command);
      expect(out.status).toBe(0);
      return parseStatus(out.stdout, check.healthUrl);
    };
    expect(status()).toEqual({ current: null, restarted: false, health: null });
    run(cmd("prepare"));
    writeFileSync(plan.stagingFile, readFileSync(tarball));
    for (const step of ["verify", "install", "switch"]) expect(run(cmd(step)).status).toBe(0);
    expect(status()).toEqual({ current: { version: "1.4.2", digest: `sha256:${hex}` }, restarted: false, health: null });
    for (const step of ["restart", "record"]) expect(run(cmd(step)).status).toBe(0);
    expect(status()).toEqual({ current: { version: "1.4.2", digest: `sha256:${hex}` }, restarted: true, health: null });
  });

  it("the status script probes the health URL once and reports no answer as a null status", () => {
    setup("x");
    const check = planStatus({
      installDir: path.join(dir, "install"),
      colour: "blue",
      version: "1.0.0",
      healthUrl: "http://{host}:1/health",
      host: "127.0.0.1",
    });
    expect(check.healthUrl).toBe("http://127.0.0.1:1/health");
    expect(parseStatus(run(check.command).stdout, check.healthUrl)).toEqual({
      current: null,
      restarted: false,
      health: { url: "http://127.0.0.1:1/health", status: null },
    });
  });

  it("a digest that does not match exits 65, deletes the file and installs nothing", () => {
    const { tarball } = setup("evil");
    const { plan, cmd } = stepsFor("cd".repeat(32));
    run(cmd("prepare"));
    writeFileSync(plan.stagingFile, readFileSync(tarball));
    const verify = run(cmd("verify"));
    expect(verify.status).toBe(DIGEST_MISMATCH_EXIT);
    expect(verify.stderr).toContain(`digest mismatch: expected sha256:${"cd".repeat(32)}`);
    expect(existsSync(plan.stagingFile)).toBe(false);
    expect(existsSync(plan.releaseDir)).toBe(false);
  });

  it("switch keeps the three newest releases of the colour", () => {
    const { tarball, hex } = setup("x");
    for (const version of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]) {
      const { plan, cmd } = stepsFor(hex, { version });
      run(cmd("prepare"));
      writeFileSync(plan.stagingFile, readFileSync(tarball));
      for (const step of ["verify", "install", "switch"]) expect(run(cmd(step)).status).toBe(0);
      spawnSync("sleep", ["0.02"]);
    }
    const releases = spawnSync("ls", [path.join(dir, "install/green/releases")], { encoding: "utf8" })
      .stdout.trim()
      .split("\n");
    expect(releases.sort()).toEqual(["1.1.0", "1.2.0", "1.3.0"]);
  });

  it("the health step gives up after its attempts and says what it got", () => {
    setup("x");
    const { cmd } = stepsFor("ab".repeat(32), { healthUrl: "http://127.0.0.1:1/health", healthAttempts: 2 });
    const health = run(cmd("health"));
    expect(health.status).toBe(1);
    expect(health.stderr).toContain("health check failed: http://127.0.0.1:1/health answered 000 after 2 attempt(s)");
  });
});

describe("batchScript: several steps, one round trip", () => {
  const step = (name: "prepare" | "verify" | "install", command: string) => ({ name, kind: "exec" as const, command });

  it("runs the steps in order, stops at the first failure and says which one, keeping each step's output apart", () => {
    const script = batchScript([
      step("prepare", "set -eu; echo made dirs"),
      step("verify", "set -eu; echo checking; echo 'digest mismatch: x' >&2; exit 65"),
      step("install", "echo never"),
    ]);
    const run = spawnSync("sh", ["-c", script], { encoding: "utf8" });
    expect(run.status).toBe(65);
    const out = splitBatchOutput(run.stdout, run.stderr);
    expect(out.failed).toEqual({ name: "verify", code: 65 });
    expect(out.steps).toEqual([
      { name: "prepare", stdout: "made dirs\n", stderr: "" },
      { name: "verify", stdout: "checking\n", stderr: "digest mismatch: x\n" },
    ]);
  });

  it("set -e inside a step still stops that step at its first failing command", () => {
    const script = batchScript([step("prepare", "set -eu\nfalse\necho 'not reached'")]);
    const run = spawnSync("sh", ["-c", script], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain("not reached");
    expect(splitBatchOutput(run.stdout, run.stderr).failed).toEqual({ name: "prepare", code: 1 });
  });

  it("the last step that started is known even without a failure marker (a timeout)", () => {
    expect(splitBatchOutput("::flightdeck-step::prepare\nok\n::flightdeck-step::verify\n", "").last).toBe("verify");
  });
});
