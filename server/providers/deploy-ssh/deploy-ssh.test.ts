/**
 * The SSH deploy against the lab's real sshd: a release fetched over HTTP (or uploaded over SFTP), verified on
 * the "host", unpacked, switched, restarted as the lab's sample service and health-checked; and each failure
 * an operator meets, in words that say what failed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildArtifact, type BuiltArtifact } from "@/lab/artifacts";
import { serviceName, writeRestartScript } from "@/lab/hosts";
import { stopByPidFile } from "@/lab/process";
import { startArtifactServer } from "@/lab/servers/artifact-server";
import { startSshd, type LabSshd } from "@/lab/servers/sshd";
import { RegionConfig } from "@/server/config/schema";
import { DEFAULT_ARTIFACT_FETCH } from "../artifact-fetch";
import { createDeployProvider } from "../real";
import type { DeployError } from ".";
import { freePorts, labTempDir } from "../test-support";
import { alreadyDeployed, ProviderError, type ArtifactRef } from "../types";

let dir: string;
let hostsDir: string;
let sshd: LabSshd;
let stopArtifacts: () => Promise<void>;
let ports: { ssh: number; artifacts: number; green: number; closed: number };
let release: BuiltArtifact;
let artifactsUrl: string;

beforeAll(async () => {
  dir = labTempDir("deploy-ssh");
  const [ssh, artifacts, green, closed] = await freePorts(4);
  ports = { ssh, artifacts, green, closed };
  sshd = await startSshd({ dir, port: ports.ssh });
  const server = await startArtifactServer({ dir, port: ports.artifacts });
  stopArtifacts = server.stop;
  artifactsUrl = server.url;
  release = buildArtifact({ version: "2.0.0" }, { dir, baseUrl: server.url });
  hostsDir = path.join(dir, "hosts", "lab");
  mkdirSync(path.join(hostsDir, "green"), { recursive: true });
  writeRestartScript({ dir: path.join(hostsDir, "green"), region: "lab", colour: "green", port: ports.green }, dir);
});

afterAll(async () => {
  await stopByPidFile(dir, serviceName("lab", "green"));
  await sshd?.stop();
  await stopArtifacts?.();
  rmSync(dir, { recursive: true, force: true });
});

const env = { DROPLET_USER: "root", DROPLET_IP_GREEN: "127.0.0.1", DROPLET_IP_BLUE: "127.0.0.1" };

function deployer(deploy: Record<string, unknown> = {}) {
  const region = RegionConfig.parse({
    id: "lab",
    name: "Lab",
    environment: "production-lab",
    order: 1,
    targets: { blue: { hostEnv: "DROPLET_IP_BLUE", port: ports.closed }, green: { hostEnv: "DROPLET_IP_GREEN", port: ports.green } },
    deploy: {
      provider: "ssh",
      privateKeyPath: sshd.clientKeyPath,
      hostKeySha256: sshd.hostKeySha256,
      port: ports.ssh,
      installDir: hostsDir,
      // The restart script is the lab host's; the marker proves the correlation id reached the host.
      restartCommand: `echo "$FLIGHTDECK_CORRELATION_ID" > {releaseDir}/.deployed-by && ${hostsDir}/{colour}/restart.sh`,
      healthUrl: "http://{host}:{port}/health",
      timeoutSeconds: 30,
      ...deploy,
    },
  });
  // The lab serves artifacts on 127.0.0.1: like the lab's fleet config, it allows private addresses.
  const provider = createDeployProvider(region, env, {}, { ...DEFAULT_ARTIFACT_FETCH, allowPrivateAddresses: true });
  if (!provider) throw new Error("no ssh deploy provider");
  return provider;
}

const ref = (a: BuiltArtifact): ArtifactRef => ({ version: a.version, digest: a.digest, url: a.url });
const current = () => readlinkSync(path.join(hostsDir, "green", "current"));
const serving = async () => (await fetch(`http://127.0.0.1:${ports.green}/`)).headers.get("x-version");

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe("deploy over SSH to the lab's sshd", () => {
  it("fetches the artifact on the host, verifies its digest, installs, restarts and health-checks the colour", async () => {
    const { log, verified } = await deployer().deploy({
      region: "lab",
      colour: "green",
      artifact: ref(release),
      correlationId: "corr-fetch",
      signal: undefined,
    });
    expect(verified).toEqual({ digest: release.digest, health: { url: `http://127.0.0.1:${ports.green}/health`, status: 200 } });
    expect(log).toContain(`[verify] digest verified on the host: ${release.digest}`);
    expect(log.some((l) => l.startsWith(`[fetch] fetched ${release.url}`))).toBe(true);
    expect(log.some((l) => /^\[health\] health check: http:\/\/127\.0\.0\.1:\d+\/health answered 200/.test(l))).toBe(true);
    expect(current()).toBe("releases/2.0.0");
    expect(readFileSync(path.join(hostsDir, "green/releases/2.0.0/.deployed-by"), "utf8").trim()).toBe("corr-fetch");
    expect(readFileSync(path.join(hostsDir, "green/releases/2.0.0/.flightdeck-digest"), "utf8").trim()).toBe(release.digest);
    expect(await serving()).toBe("2.0.0");
  });

  it("uploads the artifact over SFTP when the host cannot fetch it", async () => {
    const next = buildArtifact({ version: "2.1.0" }, { dir, baseUrl: artifactsUrl });
    const { log, verified } = await deployer({ artifactTransfer: "upload", healthUrl: undefined }).deploy({
      region: "lab",
      colour: "green",
      artifact: ref(next),
      correlationId: "corr-upload",
    });
    // No health URL configured: no health check ran, and the result does not claim one.
    expect(verified).toEqual({ digest: next.digest, health: null });
    expect(log.some((l) => l.startsWith("[health]"))).toBe(false);
    expect(log.some((l) => l.startsWith("[upload] "))).toBe(true);
    expect(log).toContain(`[verify] digest verified on the host: ${next.digest}`);
    expect(current()).toBe("releases/2.1.0");
    expect(await serving()).toBe("2.1.0");
  });

  it("logs a presigned artifact URL without its query, in either transfer mode", async () => {
    const presigned = { ...ref(release), url: `${release.url}?X-Amz-Credential=AKIA123&X-Amz-Signature=0123456789abcdef` };
    for (const artifactTransfer of ["fetch", "upload"] as const) {
      const { log } = await deployer({ artifactTransfer }).deploy({ region: "lab", colour: "green", artifact: presigned, correlationId: "corr-presigned" });
      if (artifactTransfer === "fetch") expect(log.some((l) => l.startsWith(`[fetch] fetched ${release.url} (`))).toBe(true);
      expect(log.join("\n")).not.toMatch(/X-Amz|0123456789abcdef|AKIA123/);
    }
    const wrong = `sha256:${"0".repeat(64)}`;
    const err = await failure(
      deployer({ artifactTransfer: "upload" }).deploy({ region: "lab", colour: "green", artifact: { ...presigned, digest: wrong }, correlationId: "c" }),
    );
    expect(err.message).toContain(`digest mismatch: expected ${wrong}, the file at ${release.url} is ${release.digest}; nothing was uploaded`);
    expect(JSON.stringify([err.message, (err as DeployError).log])).not.toMatch(/X-Amz|0123456789abcdef/);
  });

  it("refuses to download an artifact from the server's own loopback when the config does not allow it", async () => {
    const region = RegionConfig.parse({
      id: "lab",
      name: "Lab",
      environment: "production-lab",
      order: 1,
      targets: { blue: { hostEnv: "DROPLET_IP_BLUE", port: ports.closed }, green: { hostEnv: "DROPLET_IP_GREEN", port: ports.green } },
      deploy: {
        provider: "ssh",
        privateKeyPath: sshd.clientKeyPath,
        hostKeySha256: sshd.hostKeySha256,
        port: ports.ssh,
        installDir: hostsDir,
        restartCommand: "true",
        artifactTransfer: "upload",
      },
    });
    const before = current();
    const err = await failure(createDeployProvider(region, env)!.deploy({ region: "lab", colour: "green", artifact: ref(release), correlationId: "c" }));
    expect(err.message).toContain(`refusing to fetch the artifact from ${release.url}: 127.0.0.1 is a loopback address`);
    expect(current()).toBe(before);
  });

  it("refuses a digest mismatch on the host before installing anything", async () => {
    const evil = buildArtifact({ version: "6.6.6", errorRatePct: 100 }, { dir, baseUrl: artifactsUrl });
    const claimed = `sha256:${createHash("sha256").update("what CI registered").digest("hex")}`;
    const before = current();
    const err = await failure(
      deployer().deploy({ region: "lab", colour: "green", artifact: { version: "6.6.6", digest: claimed, url: evil.url }, correlationId: "corr-evil" }),
    );
    expect(err.message).toContain(
      `deploy of 6.6.6 to green in lab failed: digest mismatch: expected ${claimed}, the file on the host is ${evil.digest}; nothing was installed`,
    );
    expect(err.retryable).toBe(false);
    expect(existsSync(path.join(hostsDir, "green/releases/6.6.6"))).toBe(false);
    expect(current()).toBe(before);
    expect(await serving()).toBe(before.split("/")[1]);
  });

  it("refuses a key the host does not accept", async () => {
    const otherKey = path.join(dir, "other_ed25519");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
    const err = await failure(deployer({ privateKeyPath: otherKey }).deploy({ region: "lab", colour: "green", artifact: ref(release), correlationId: "c" }));
    expect(err.message).toContain(`SSH login refused for root@127.0.0.1:${ports.ssh}: the private key was not accepted`);
    expect(err.retryable).toBe(false);
  });

  it("refuses a host whose key does not match the configured fingerprint", async () => {
    const wrong = "SHA256:" + "A".repeat(43);
    const err = await failure(deployer({ hostKeySha256: wrong }).deploy({ region: "lab", colour: "green", artifact: ref(release), correlationId: "c" }));
    expect(err.message).toContain(
      `host key mismatch for root@127.0.0.1:${ports.ssh}: the host offers ${sshd.hostKeySha256}, the config (regions.lab.deploy.hostKeySha256) expects ${wrong}; refusing to connect`,
    );
    expect(err.retryable).toBe(false);
  });

  it("names the step that exits non-zero, with the tail of its stderr", async () => {
    const err = await failure(
      deployer({ restartCommand: `echo "stopping api"; echo "starting api on :8080" >&2; echo "bind: address already in use" >&2; exit 3` }).deploy({
        region: "lab",
        colour: "green",
        artifact: ref(release),
        correlationId: "c",
      }),
    );
    expect(err.message).toContain(`step "restart" on root@127.0.0.1:${ports.ssh} exited with code 3: starting api on :8080\nbind: address already in use`);
    // The steps before it are in the log that goes with the failure event.
    expect((err as DeployError).log).toContain(`[verify] digest verified on the host: ${release.digest}`);
    expect((err as DeployError).log).toContain("[restart] stopping api");
  });

  it("says the host is unreachable when nothing listens on its SSH port (retryable)", async () => {
    const err = await failure(deployer({ port: ports.closed }).deploy({ region: "lab", colour: "green", artifact: ref(release), correlationId: "c" }));
    expect(err.message).toContain(`cannot reach root@127.0.0.1:${ports.closed} over SSH: connection refused`);
    expect(err.retryable).toBe(true);
  });

  it("stops a step that outlives the deploy's time limit", async () => {
    const started = Date.now();
    const err = await failure(
      deployer({ restartCommand: "sleep 60", timeoutSeconds: 6 }).deploy({ region: "lab", colour: "green", artifact: ref(release), correlationId: "c" }),
    );
    expect(err.message).toMatch(/step "restart" on root@127\.0\.0\.1:\d+ timed out after 6 s/);
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("reading a colour's status over SSH (what a restarted engine asks before repeating a deploy)", () => {
  it("says a deployed release is current, restarted and healthy, and one cut short after its switch is not", async () => {
    const done = buildArtifact({ version: "2.2.0" }, { dir, baseUrl: artifactsUrl });
    const input = { region: "lab", colour: "green" as const, artifact: ref(done), correlationId: "corr-status" };
    await deployer().deploy(input);
    const status = await deployer().status(input);
    expect(status).toEqual({
      current: { version: "2.2.0", digest: done.digest },
      restarted: true,
      health: { url: `http://127.0.0.1:${ports.green}/health`, status: 200 },
    });
    expect(alreadyDeployed(status, ref(done))).toEqual({ digest: done.digest, health: { url: `http://127.0.0.1:${ports.green}/health`, status: 200 } });
    // Another digest under the same version is not that release.
    expect(alreadyDeployed(status, { ...ref(done), digest: `sha256:${"0".repeat(64)}` })).toBeNull();

    // A deploy that switched `current` and then died in its restart is not done, though the old process still answers.
    const cut = buildArtifact({ version: "2.3.0" }, { dir, baseUrl: artifactsUrl });
    const cutInput = { ...input, artifact: ref(cut) };
    await failure(deployer({ restartCommand: "exit 3" }).deploy(cutInput));
    const after = await deployer().status(cutInput);
    expect(after).toMatchObject({ current: { version: "2.3.0", digest: cut.digest }, restarted: false, health: { status: 200 } });
    expect(alreadyDeployed(after, ref(cut))).toBeNull();
    expect(await serving()).toBe("2.2.0");
  });

  it("fails naming the host when it cannot be reached", async () => {
    const err = await failure(deployer({ port: ports.closed }).status({ region: "lab", colour: "green", artifact: ref(release), correlationId: "c" }));
    expect(err.message).toContain(`cannot reach root@127.0.0.1:${ports.closed} over SSH: connection refused`);
  });
});
