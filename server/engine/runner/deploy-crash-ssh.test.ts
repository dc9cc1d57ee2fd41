/**
 * The deploy crash against a real host: us-east deploys over SSH to the lab's sshd (traffic and metrics stay
 * simulated). The first runner's deploy runs to its end on the host, then the runner stops before the step is
 * recorded. A fresh runner on the same store asks the host what it runs, finds the release installed, current,
 * restarted and healthy, and goes on without deploying again: the host's own log shows one restart.
 */
import { readFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { steps } from "@/db/schema";
import { buildArtifact, type BuiltArtifact } from "@/lab/artifacts";
import { serviceName, writeRestartScript } from "@/lab/hosts";
import { stopByPidFile } from "@/lab/process";
import { startArtifactServer } from "@/lab/servers/artifact-server";
import { startSshd, type LabSshd } from "@/lab/servers/sshd";
import { RegionConfig } from "@/server/config/schema";
import { abortError } from "@/server/engine/clock";
import { freePorts, labTempDir } from "@/server/providers/test-support";
import type { RegionProviders } from "@/server/providers/types";
import { startRollout } from "@/server/services/rollouts";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, eventsOf, regionRolloutOf, runUntil, type Harness } from "./test-fixtures";

let dir: string;
let hostsDir: string;
let sshd: LabSshd;
let stopArtifacts: () => Promise<void>;
let release: BuiltArtifact;
let h: Harness;
const env = { DROPLET_USER: "root" };

beforeAll(async () => {
  dir = labTempDir("deploy-crash-ssh");
  const [sshPort, artifactsPort, greenPort, bluePort] = await freePorts(4);
  sshd = await startSshd({ dir, port: sshPort });
  const server = await startArtifactServer({ dir, port: artifactsPort });
  stopArtifacts = server.stop;
  release = buildArtifact({ version: "3.0.0" }, { dir, baseUrl: server.url });
  hostsDir = path.join(dir, "hosts", "us-east");
  mkdirSync(path.join(hostsDir, "green"), { recursive: true });
  writeRestartScript({ dir: path.join(hostsDir, "green"), region: "us-east", colour: "green", port: greenPort }, dir);

  // The demo fleet with us-east's deploy over SSH: swapped in after the config check, which keeps a fleet
  // either all simulated (demo) or all real.
  const config = demoConfig((raw) => {
    (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
    raw.artifacts = { allowHttpHosts: ["127.0.0.1"] };
  });
  const at = config.regions.findIndex((r) => r.id === "us-east");
  const usEast = { ...config.regions[at], targets: { blue: { host: "127.0.0.1", port: bluePort }, green: { host: "127.0.0.1", port: greenPort } } };
  usEast.deploy = RegionConfig.shape.deploy.parse({
    provider: "ssh",
    privateKeyPath: sshd.clientKeyPath,
    hostKeySha256: sshd.hostKeySha256,
    port: sshPort,
    installDir: hostsDir,
    // The host's own record of each restart, beside the lab's restart script.
    restartCommand: `echo "$FLIGHTDECK_VERSION" >> ${hostsDir}/restarts.log && ${hostsDir}/{colour}/restart.sh`,
    healthUrl: "http://{host}:{port}/health",
    timeoutSeconds: 30,
  });
  config.regions[at] = usEast;
  h = createHarness({ config });
}, 60_000);

afterAll(async () => {
  h?.cleanup();
  await stopByPidFile(dir, serviceName("us-east", "green"));
  await sshd?.stop();
  await stopArtifacts?.();
  rmSync(dir, { recursive: true, force: true });
});

const providers = (region: string) => providersForRegion(h.config, region, h.world, h.clock, env);
const deployStep = () =>
  h.db.raw
    .select()
    .from(steps)
    .all()
    .find((s) => s.key.endsWith("/deploy"));

it("a deploy that finished on the host before the crash is found there by the restarted runner, not run again", { timeout: 60_000 }, async () => {
  const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  const { rolloutId } = await startRollout(h.as(dana), {
    serviceId: "api",
    artifact: {
      version: release.version,
      digest: release.digest,
      url: release.url,
      sourceRef: "refs/heads/main",
      commitSha: "0123456789abcdef0123456789abcdef01234567",
    },
    strategy: "parallel",
    regions: ["us-east"],
  });

  // The first runner: the deploy runs on the host to its end, then the process stops before the step is recorded.
  const dying = new Runner({
    db: h.db,
    config: h.config,
    clock: h.clock,
    id: "dying",
    providersFor: (region): RegionProviders => {
      const real = providers(region);
      return {
        ...real,
        deploy: {
          deploy: async (input) => {
            await real.deploy.deploy(input);
            throw abortError();
          },
          status: (input) => real.deploy.status(input),
        },
      };
    },
  });
  await runUntil(h, () => deployStep()?.status === "started", undefined, 100, dying);
  expect(readFileSync(path.join(hostsDir, "restarts.log"), "utf8").trim().split("\n")).toEqual(["3.0.0"]);

  // A fresh runner on the same store, once the dead one's lease ran out.
  h.clock.advance(16_000);
  const restarted = new Runner({ db: h.db, config: h.config, clock: h.clock, id: "restarted", providersFor: providers });
  await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").canaryPct === 10, undefined, 1_000, restarted);

  expect(readFileSync(path.join(hostsDir, "restarts.log"), "utf8").trim().split("\n")).toEqual(["3.0.0"]);
  expect(deployStep()?.attempts?.map((a) => a.outcome)).toEqual(["interrupted", "found done after restart"]);
  const [deployed, ...more] = eventsOf(h.db, { type: "deploy.succeeded", regionId: "us-east" });
  expect(more).toEqual([]);
  expect(deployed.data).toMatchObject({ colour: "green", verified: { digest: release.digest, health: { status: 200 } } });
  expect((deployed.data as { log: string[] }).log.join("\n")).toMatch(
    /3\.0\.0 \(sha256:[0-9a-f]{64}\) was found installed, current and restarted on green in us-east, http:\/\/127\.0\.0\.1:\d+\/health answered 200/,
  );
});
