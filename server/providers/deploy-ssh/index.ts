/**
 * Deploy over SSH: log in to the idle colour's host and run the plan of deploy-script.ts step by step, each
 * step's output going into the deploy log (and so into the events). The digest is verified on the host before
 * anything is unpacked; a mismatch, a refused key, a wrong host key or a failing step stops the deploy with a
 * ProviderError that names what failed. `status` reads back what a colour runs (./status-script.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { redactUrl, redactUrlsIn } from "@/server/redact-url";
import { fetchArtifact, type ArtifactFetchPolicy } from "../artifact-fetch";
import { tail, withSsh, exitMessage, type SshSession, type SshTarget } from "../ssh-exec";
import { ProviderError, type Colour, type DeployInput, type DeployProvider, type DeployResult, type DeployStatus } from "../types";
import { batchScript, DIGEST_MISMATCH_EXIT, planDeploy, splitBatchOutput, type ExecStep } from "./deploy-script";
import { parseStatus, planStatus } from "./status-script";

export type SshDeployOptions = {
  installDir: string;
  restartCommand: string;
  healthUrl?: string;
  timeoutSeconds: number;
  transfer: "fetch" | "upload";
  /** Where to log in for a colour, and that colour's application port. Resolved at each deploy (env, key file). */
  targetFor: (colour: Colour) => { ssh: SshTarget; port?: number };
  /** Upload mode: the rules of the server's own download (size cap, addresses, redirects). */
  artifactFetch: ArtifactFetchPolicy;
};

const PROVIDER = "deploy-ssh";

/** A failed deploy, with the log of the steps that ran (for the event that reports it). */
export class DeployError extends ProviderError {
  constructor(
    message: string,
    retryable: boolean,
    readonly log: string[],
  ) {
    super(PROVIDER, redactUrlsIn(message), retryable);
  }
}

export class SshDeployProvider implements DeployProvider {
  constructor(private readonly options: SshDeployOptions) {}

  async deploy({ region, colour, artifact, correlationId, signal }: DeployInput): Promise<DeployResult> {
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
      host: ssh.host,
      port,
      correlationId,
      healthAttempts: Math.min(30, Math.max(3, Math.floor(o.timeoutSeconds / 4))),
    });
    const log: string[] = [`deploying ${artifact.version} (${artifact.digest}) to ${colour} in ${region} on ${ssh.username}@${ssh.host}:${ssh.port}`];
    const local =
      o.transfer === "upload" ? await this.download(artifact.url, artifact.digest, { deadline, signal }).catch((err: unknown) => failed(err, log)) : null;
    try {
      await withSsh(
        PROVIDER,
        { ...ssh, connectTimeoutMs: Math.min(ssh.connectTimeoutMs, remaining(deadline)) },
        async (session) => {
          let batch: ExecStep[] = [];
          for (const step of plan.steps) {
            if (step.kind === "exec") {
              batch.push(step);
              continue;
            }
            await this.runBatch(session, batch, { deadline, log, signal });
            batch = [];
            await session.upload(local!.file, step.remotePath);
            log.push(`[upload] ${step.remotePath}`);
          }
          await this.runBatch(session, batch, { deadline, log, signal });
        },
        signal,
      );
    } catch (err) {
      failed(err, log);
    } finally {
      if (local) await rm(local.dir, { recursive: true, force: true });
    }
    log.push(`deployed ${artifact.version} to ${colour} in ${region} in ${Math.round((o.timeoutSeconds * 1000 - remaining(deadline)) / 1000)} s`);
    // The digest was checked on the host before anything was installed; the health step, when configured, only
    // succeeds on a 200 from its URL (shown without query or credentials).
    const health = plan.healthUrl ? { url: redactUrl(plan.healthUrl), status: 200 } : null;
    return { log: log.map(redactUrlsIn), verified: { digest: artifact.digest, health } };
    function failed(err: unknown, lines: string[]): never {
      if (err instanceof ProviderError)
        throw new DeployError(`deploy of ${artifact.version} to ${colour} in ${region} failed: ${err.message}`, err.retryable, lines.map(redactUrlsIn));
      throw err;
    }
  }

  /** One read-only script on the colour's host, within the deploy's timeout. */
  async status({ region, colour, artifact, signal }: DeployInput): Promise<DeployStatus> {
    const o = this.options;
    const { ssh, port } = o.targetFor(colour);
    const check = planStatus({ installDir: o.installDir, colour, version: artifact.version, healthUrl: o.healthUrl, host: ssh.host, port });
    const timeoutMs = o.timeoutSeconds * 1000;
    const result = await withSsh(
      PROVIDER,
      { ...ssh, connectTimeoutMs: Math.min(ssh.connectTimeoutMs, timeoutMs) },
      (session) => session.run(check.command, { timeoutMs, signal, what: `the status check of ${colour} in ${region}` }),
      signal,
    );
    return parseStatus(result.stdout, check.healthUrl && redactUrl(check.healthUrl));
  }

  /** Run exec steps as one script; record each step's output; fail naming the step that failed or timed out. */
  private async runBatch(session: SshSession, steps: ExecStep[], ctx: { deadline: number; log: string[]; signal?: AbortSignal }): Promise<void> {
    if (steps.length === 0) return;
    const timeoutMs = remaining(ctx.deadline);
    if (timeoutMs <= 0) throw new ProviderError(PROVIDER, `timed out after ${this.options.timeoutSeconds} s before step "${steps[0].name}"`, true);
    const result = await session.exec(batchScript(steps), { timeoutMs, signal: ctx.signal, what: "deploy script", resolveOnTimeout: true });
    const { steps: outputs, failed, last } = splitBatchOutput(result.stdout, result.stderr);
    for (const out of outputs) {
      const text = [out.stdout, out.stderr]
        .map((t) => t.trim())
        .filter(Boolean)
        .join("\n");
      if (text)
        ctx.log.push(
          ...tail(text, 20, 4000)
            .split("\n")
            .map((line) => `[${out.name}] ${line}`),
        );
    }
    const stepOutput = (name: string) => outputs.find((o) => o.name === name) ?? { name, stdout: "", stderr: "" };
    if (result.timedOut) {
      const name = last ?? steps[0].name;
      const err = tail(stepOutput(name).stderr);
      throw new ProviderError(PROVIDER, `step "${name}" on ${session.where} timed out after ${this.options.timeoutSeconds} s${err ? `: ${err}` : ""}`, true);
    }
    if (result.code === 0) return;
    const name = failed?.name ?? last ?? "deploy script";
    const out = stepOutput(name);
    if (name === "verify" && result.code === DIGEST_MISMATCH_EXIT) throw new ProviderError(PROVIDER, tail(out.stderr) || "digest mismatch on the host");
    throw new ProviderError(PROVIDER, exitMessage(`step "${name}"`, session.where, { ...result, stdout: out.stdout, stderr: out.stderr }));
  }

  /** Upload mode: Flightdeck fetches the artifact itself (guarded: artifact-fetch.ts) and checks its digest before sending it on. */
  private async download(url: string | null, digest: string, ctx: { deadline: number; signal?: AbortSignal }): Promise<{ dir: string; file: string }> {
    if (!url || !/^https?:\/\//.test(url))
      throw new ProviderError(PROVIDER, `the artifact has no http(s) URL to download it from (${JSON.stringify(url && redactUrl(url))})`);
    const dir = await mkdtemp(path.join(tmpdir(), "flightdeck-artifact-"));
    const file = path.join(dir, "artifact");
    try {
      const got = await fetchArtifact({ url, file, timeoutMs: remaining(ctx.deadline), policy: this.options.artifactFetch, signal: ctx.signal });
      if (got.sha256 !== digest)
        throw new ProviderError(PROVIDER, `digest mismatch: expected ${digest}, the file at ${redactUrl(url)} is ${got.sha256}; nothing was uploaded`);
      return { dir, file };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }
}

const remaining = (deadline: number) => Math.max(0, deadline - Date.now());
