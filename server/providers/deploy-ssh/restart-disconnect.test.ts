/**
 * Flightdeck killed while a colour restarts over SSH (found by `npm run chaos`): the host's shell runs on after
 * the session is gone, but its first write to the dead session's stdout kills it. The restart's record must be
 * written before anything is printed, or the next deploy finds the colour "not restarted" and restarts it again.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSshd, type LabSshd } from "@/lab/servers/sshd";
import { freePorts, labTempDir } from "../test-support";
import { batchScript, planDeploy, type ExecStep } from "./deploy-script";

let dir: string;
let sshd: LabSshd;

beforeAll(async () => {
  dir = labTempDir("restart-disconnect");
  const [port] = await freePorts(1);
  sshd = await startSshd({ dir, port });
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("a restart under way when the SSH client is killed still leaves its record on the host, and the record step's own", async () => {
  const installDir = path.join(dir, "install");
  const restarts = path.join(dir, "restarts.log");
  const plan = planDeploy({
    installDir,
    colour: "green",
    version: "1.0.0",
    digest: "sha256:" + "ab".repeat(32),
    url: null,
    transfer: "upload",
    // A restart that takes a second and says so at its end, as the lab's restart.sh does.
    restartCommand: `sleep 1; echo started >> ${restarts}; echo "restarted green"`,
    host: "127.0.0.1",
    correlationId: "corr-1",
    healthAttempts: 1,
  });
  mkdirSync(plan.releaseDir, { recursive: true });
  const steps = plan.steps.filter((s): s is ExecStep => s.kind === "exec" && (s.name === "restart" || s.name === "record"));
  const client = spawn(
    "ssh",
    ["-p", String(sshd.port), "-i", sshd.clientKeyPath, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "root@127.0.0.1", "sh -s"],
    { stdio: ["pipe", "pipe", "pipe"], detached: true },
  );
  client.stdin.end(batchScript(steps));
  await new Promise((r) => setTimeout(r, 500));
  process.kill(-client.pid!, "SIGKILL"); // Flightdeck dies mid-restart
  await new Promise((r) => setTimeout(r, 2_000));

  expect(readFileSync(restarts, "utf8")).toBe("started\n");
  const record = path.join(plan.releaseDir, ".flightdeck-restarted");
  expect(existsSync(record) && readFileSync(record, "utf8").trim()).toBe("sha256:" + "ab".repeat(32));
}, 30_000);
