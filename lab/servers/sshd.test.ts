import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Client, type ConnectConfig } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildArtifact } from "../artifacts";
import { installRelease, writeRestartScript, type LabHost } from "../hosts";
import { stopByPidFile } from "../process";
import { freePorts, tempLabDir } from "../test-support";
import { startSshd, type LabSshd } from "./sshd";

const dir = tempLabDir();
let sshd: LabSshd;
let servicePort = 0;

beforeAll(async () => {
  const [sshPort, port] = await freePorts(2);
  servicePort = port;
  sshd = await startSshd({ dir, port: sshPort });
});

afterAll(async () => {
  await stopByPidFile(dir, "service-test-blue");
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Run one command over SSH as root, checking the host key against the fingerprint the lab reports. */
function sshExec(command: string, options: Partial<ConnectConfig> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on("ready", () => {
        client.exec(command, (err, stream) => {
          if (err) return reject(err);
          let stdout = "";
          let stderr = "";
          stream.on("data", (d: Buffer) => (stdout += d));
          stream.stderr.on("data", (d: Buffer) => (stderr += d));
          stream.on("close", (code: number) => {
            client.end();
            resolve({ code, stdout, stderr });
          });
        });
      })
      .on("error", reject)
      .connect({
        host: "127.0.0.1",
        port: sshd.port,
        username: "root",
        privateKey: readFileSync(sshd.clientKeyPath),
        hostVerifier: (key: Buffer) => `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}` === sshd.hostKeySha256,
        readyTimeout: 5000,
        ...options,
      });
  });
}

describe("the lab's sshd", () => {
  it("accepts the lab's client key as root, presents the host key it reports, and runs a command", async () => {
    expect(sshd.hostKeySha256).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const run = await sshExec("echo hello; id -u");
    expect(run).toEqual({ code: 0, stdout: "hello\n0\n", stderr: "" });
  });

  it("refuses a key it does not know", async () => {
    const stranger = path.join(dir, "stranger_ed25519");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
    await expect(sshExec("true", { privateKey: readFileSync(stranger) })).rejects.toThrow(/authentication methods failed/);
  });

  it("refuses a host whose key does not match the fingerprint", async () => {
    await expect(sshExec("true", { hostVerifier: () => false })).rejects.toThrow(/verification failed/i);
  });

  it("restarts a colour's service with its restart script, as a deploy does", async () => {
    const artifact = buildArtifact({ version: "7.1.0" }, { dir, baseUrl: "http://127.0.0.1:1" });
    const host: LabHost = { dir: path.join(dir, "hosts/test/blue"), region: "test", colour: "blue", port: servicePort };
    installRelease(host, artifact.path, artifact.version);
    const script = writeRestartScript(host, dir);

    const run = await sshExec(script);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`restarted test blue: releases/7.1.0 on port ${servicePort}`);
    const health = await fetch(`http://127.0.0.1:${servicePort}/health`);
    expect(await health.json()).toEqual({ version: "7.1.0", region: "test", colour: "blue", status: 200 });
  });
});
