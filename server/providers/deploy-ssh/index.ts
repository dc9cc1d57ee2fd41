/**
 * Deploy over SSH: log in to the idle colour's host and run the plan of deploy-script.ts step by step, each
 * step's output going into the deploy log (and so into the events). The digest is verified on the host before
 * anything is unpacked; a mismatch, a refused key, a wrong host key or a failing step stops the deploy with a
 * ProviderError that names what failed.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { tail, withSsh, exitMessage, type SshSession, type SshTarget } from "../ssh-exec";
import { ProviderError, type Colour, type DeployInput, type DeployProvider } from "../types";
import { DIGEST_MISMATCH_EXIT, planDeploy, type DeployStep } from "./deploy-script";

export type SshDeployOptions = {
  installDir: string;
  restartCommand: string;
  healthUrl?: string;
  timeoutSeconds: number;
  transfer: "fetch" | "upload";
  /** Where to log in for a colour, and that colour's application port. Resolved at each deploy (env, key file). */
  targetFor: (colour: Colour) => { ssh: SshTarget; port?: number };
  fetch?: typeof fetch;
};

const PROVIDER = "deploy-ssh";

export class SshDeployProvider implements DeployProvider {
  constructor(private readonly options: SshDeployOptions) {}

  async deploy({ region, colour, artifact, correlationId, signal }: DeployInput): Promise<{ log: string[] }> {
    const o = this.options;
    const deadline = Date.now() + o.timeoutSeconds * 1000;
    const { ssh, port } = o.targetFor(colour);
    const plan = planDeploy({
      installDir: o.installDir,
      colour,
      version: artifact.version,
      digest: artifact.digest,
      url: artifact.url,
      transfer: o.transfer,
      restartCommand: o.restartCommand,
      healthUrl: o.healthUrl,
      port,
      correlationId,
      healthAttempts: Math.min(30, Math.max(3, Math.floor(o.timeoutSeconds / 4))),
    });
    const log: string[] = [`deploying ${artifact.version} (${artifact.digest}) to ${colour} in ${region} on ${ssh.username}@${ssh.host}:${ssh.port}`];
    const local = o.transfer === "upload" ? await this.download(artifact.url, artifact.digest, signal) : null;
    try {
      await withSsh(
        PROVIDER,
        { ...ssh, connectTimeoutMs: Math.min(ssh.connectTimeoutMs, remaining(deadline)) },
        async (session) => {
          for (const step of plan.steps) await this.runStep(session, step, { deadline, log, local: local?.file ?? null, signal });
        },
        signal,
      );
    } catch (err) {
      if (err instanceof ProviderError) throw new ProviderError(PROVIDER, `deploy of ${artifact.version} to ${colour} in ${region} failed: ${err.message}`, err.retryable);
      throw err;
    } finally {
      if (local) await rm(local.dir, { recursive: true, force: true });
    }
    log.push(`deployed ${artifact.version} to ${colour} in ${region} in ${Math.round((o.timeoutSeconds * 1000 - remaining(deadline)) / 1000)} s`);
    return { log };
  }

  private async runStep(session: SshSession, step: DeployStep, ctx: { deadline: number; log: string[]; local: string | null; signal?: AbortSignal }): Promise<void> {
    const timeoutMs = remaining(ctx.deadline);
    if (timeoutMs <= 0) throw new ProviderError(PROVIDER, `timed out after ${this.options.timeoutSeconds} s before step "${step.name}"`, true);
    if (step.kind === "upload") {
      await session.upload(ctx.local!, step.remotePath);
      ctx.log.push(`[upload] ${step.remotePath}`);
      return;
    }
    const result = await session.exec(step.command, { timeoutMs, signal: ctx.signal, what: `step "${step.name}"` });
    const output = [result.stdout, result.stderr].map((s) => s.trim()).filter(Boolean).join("\n");
    if (output) ctx.log.push(...tail(output, 20, 4000).split("\n").map((line) => `[${step.name}] ${line}`));
    if (result.code === 0) return;
    if (step.name === "verify" && result.code === DIGEST_MISMATCH_EXIT) throw new ProviderError(PROVIDER, tail(result.stderr) || "digest mismatch on the host");
    throw new ProviderError(PROVIDER, exitMessage(`step "${step.name}"`, session.where, result));
  }

  /** Upload mode: Flightdeck fetches the artifact itself and checks its digest before sending it on. */
  private async download(url: string | null, digest: string, signal?: AbortSignal): Promise<{ dir: string; file: string }> {
    if (!url || !/^https?:\/\//.test(url)) throw new ProviderError(PROVIDER, `the artifact has no http(s) URL to download it from (${JSON.stringify(url)})`);
    const dir = await mkdtemp(path.join(tmpdir(), "flightdeck-artifact-"));
    const file = path.join(dir, "artifact");
    try {
      const res = await (this.options.fetch ?? fetch)(url, { signal });
      if (!res.ok || !res.body) throw new ProviderError(PROVIDER, `downloading the artifact from ${url} failed: HTTP ${res.status}`, res.status >= 500);
      const hash = createHash("sha256");
      const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
      body.on("data", (chunk: Buffer) => hash.update(chunk));
      await pipeline(body, createWriteStream(file));
      const got = `sha256:${hash.digest("hex")}`;
      if (got !== digest) throw new ProviderError(PROVIDER, `digest mismatch: expected ${digest}, the file at ${url} is ${got}; nothing was uploaded`);
      return { dir, file };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (err instanceof ProviderError || (err as Error).name === "AbortError") throw err;
      throw new ProviderError(PROVIDER, `downloading the artifact from ${url} failed: ${(err as Error).message}`, true);
    }
  }
}

const remaining = (deadline: number) => Math.max(0, deadline - Date.now());
