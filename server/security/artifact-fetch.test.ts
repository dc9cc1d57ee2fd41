/**
 * Attacks on the server's own download of an artifact (upload-mode deploys): a deployer gives a URL that points
 * into the server's network (loopback, cloud metadata, private ranges, IPv6 spellings of them, a name that
 * resolves there, a redirect there), an artifact too large for the disk, a server that never finishes, and a
 * presigned URL whose signature must not reach events, logs or cards. Positive cases use local HTTP servers on
 * 127.0.0.1 with the config allowing exactly that address.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, notificationOutbox } from "@/db/schema";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { RegionConfig } from "@/server/config/schema";
import { notifyConfig } from "@/server/engine/outbox/test-notify-fixtures";
import { cachedProviders } from "@/server/engine/runner/providers";
import { Runner } from "@/server/engine/runner/runner";
import { addUser, createHarness, eventsOf } from "@/server/engine/runner/test-fixtures";
import { DEFAULT_ARTIFACT_FETCH, fetchArtifact, type ArtifactFetchPolicy } from "@/server/providers/artifact-fetch";
import { createDeployProvider } from "@/server/providers/real";
import { ProviderError } from "@/server/providers/types";
import { approveGate } from "@/server/services/approvals";
import { BUILT } from "@/server/services/ci-webhook.fixtures";
import { startRollout } from "@/server/services/rollouts";

const BODY = Buffer.from("release tarball bytes\n".repeat(100));
const DIGEST = `sha256:${createHash("sha256").update(BODY).digest("hex")}`;
const SIGNATURE = "X-Amz-Signature=d3adb33fd3adb33fd3adb33f";

let server: http.Server;
let base: string;
let dir: string;
const ONLY_LOCAL: ArtifactFetchPolicy = { ...DEFAULT_ARTIFACT_FETCH, allowPrivateAddresses: ["127.0.0.1/32"] };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-artifact-fetch-"));
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/ok.tar.gz") return void res.end(BODY);
    if (url.pathname === "/to") return void res.writeHead(302, { location: url.searchParams.get("where") ?? "/" }).end();
    if (url.pathname === "/huge-declared") return void res.writeHead(200, { "content-length": String(5 * 1024 ** 3) }).end();
    if (url.pathname === "/huge-streamed") {
      // No Content-Length: chunked, and it would go on for ever.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
      return;
    }
    if (url.pathname === "/slow") {
      res.writeHead(200, { "content-length": "1000" });
      res.write("x"); // then nothing
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(path.join(dir, "key"), "not a key: the deploy never gets as far as SSH\n");
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const file = () => path.join(dir, `artifact-${++n}`);

async function refusal(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const fetchWith = (url: string, policy: ArtifactFetchPolicy = DEFAULT_ARTIFACT_FETCH, extra: Partial<Parameters<typeof fetchArtifact>[0]> = {}) =>
  fetchArtifact({ url, file: file(), timeoutMs: 5_000, policy, ...extra });

describe("a deployer's artifact URL cannot reach into the server's own network", () => {
  it.each([
    ["loopback", "http://127.0.0.1:1/a.tar.gz", "127.0.0.1 is a loopback address"],
    ["the cloud metadata service", "http://169.254.169.254/latest/meta-data/iam/security-credentials/", "169.254.169.254 is a link-local address"],
    ["a private network", "http://10.0.0.7/a.tar.gz", "10.0.0.7 is a private address"],
    ["IPv6 loopback", "http://[::1]:1/a.tar.gz", "::1 is a loopback address"],
    ["IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]:1/a.tar.gz", "a loopback address (127.0.0.1 inside ::ffff:7f00:1)"],
    ["a unique-local IPv6 address", "http://[fd00::5]/a.tar.gz", "fd00::5 is a unique-local (private) address"],
    ["the unspecified address", "http://0.0.0.0:1/a.tar.gz", "0.0.0.0 is an unspecified address"],
  ])("refuses %s", async (_name, url, why) => {
    const err = await refusal(fetchWith(url));
    expect(err.message).toContain(why);
    expect(err.retryable).toBe(false);
  });

  it("refuses a name that resolves to a private address, checking every address it resolves to", async () => {
    const resolve = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "10.1.2.3", family: 4 },
    ];
    const err = await refusal(fetchWith("https://artifacts.example.com/a.tar.gz", DEFAULT_ARTIFACT_FETCH, { resolve }));
    expect(err.message).toContain("artifacts.example.com (10.1.2.3) is a private address");
  });

  it("refuses a redirect to loopback, even from an allowed host", async () => {
    const policy = { ...ONLY_LOCAL, redirectHosts: ["127.0.0.2", "169.254.169.254"] };
    const toLoopback = await refusal(fetchWith(`${base}/to?where=${encodeURIComponent("http://127.0.0.2:1/x")}`, policy));
    expect(toLoopback.message).toContain("127.0.0.2 is a loopback address");
    const toMetadata = await refusal(fetchWith(`${base}/to?where=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`, policy));
    expect(toMetadata.message).toContain("169.254.169.254 is a link-local address");
  });

  it("refuses a redirect to another host unless the config lists it", async () => {
    const err = await refusal(fetchWith(`${base}/to?where=${encodeURIComponent("http://localhost:1/x")}`, ONLY_LOCAL));
    expect(err.message).toContain("redirected to another host, localhost; add it to artifactFetch.redirectHosts");
  });

  it("follows a redirect on the same host and downloads the artifact", async () => {
    const to = file();
    const got = await fetchArtifact({ url: `${base}/to?where=/ok.tar.gz`, file: to, timeoutMs: 5_000, policy: ONLY_LOCAL });
    expect(got).toEqual({ sha256: DIGEST, bytes: BODY.length });
    expect(readFileSync(to)).toEqual(BODY);
  });

  it("refuses schemes other than http(s)", async () => {
    expect((await refusal(fetchWith("file:///etc/passwd"))).message).toContain("is not http(s)");
  });
});

describe("an artifact cannot exhaust the server", () => {
  it("refuses an artifact whose Content-Length is over the cap, before reading it", async () => {
    const to = file();
    const err = await refusal(fetchWith(`${base}/huge-declared`, { ...ONLY_LOCAL, maxBytes: 1024 ** 2 }, { file: to }));
    expect(err.message).toBe(`the artifact at ${base}/huge-declared is 5 GiB, over the 1 MiB limit (artifactFetch.maxBytes); nothing was downloaded`);
  });

  it("cuts a streamed artifact off at the cap", async () => {
    const err = await refusal(fetchWith(`${base}/huge-streamed`, { ...ONLY_LOCAL, maxBytes: 1024 ** 2 }));
    expect(err.message).toMatch(
      new RegExp(`^the artifact at ${base}/huge-streamed is larger than the 1 MiB limit \\(artifactFetch.maxBytes\\); stopped after 1(\\.\\d)? MiB$`),
    );
  });

  it("times out a server that never finishes, at the deploy's time limit", async () => {
    const started = Date.now();
    const err = await refusal(fetchWith(`${base}/slow`, ONLY_LOCAL, { timeoutMs: 1_500 }));
    expect(err.message).toBe(`downloading the artifact from ${base}/slow timed out after 1.5 s (the deploy's timeoutSeconds)`);
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe("an upload-mode deploy", () => {
  const region = (artifactTransfer: "upload" | "fetch") =>
    RegionConfig.parse({
      id: "lab",
      name: "Lab",
      environment: "production-lab",
      order: 1,
      targets: { blue: { host: "127.0.0.1", port: 1 }, green: { host: "127.0.0.1", port: 1 } },
      // Nothing listens on port 1: the deploy fails at SSH, after the download, if the download is allowed.
      deploy: { provider: "ssh", privateKeyPath: path.join(dir, "key"), port: 1, restartCommand: "true", timeoutSeconds: 5, artifactTransfer },
    });
  const env = { DROPLET_USER: "root" };

  it("refuses an artifact URL on the server's loopback with the default config, naming the setting", async () => {
    const deploy = createDeployProvider(region("upload"), env)!;
    const err = await refusal(
      deploy.deploy({
        region: "lab",
        colour: "green",
        artifact: { version: "1.0.0", digest: DIGEST, url: `${base}/ok.tar.gz?${SIGNATURE}` },
        correlationId: "c",
      }),
    );
    expect(err.message).toContain(`refusing to fetch the artifact from ${base}/ok.tar.gz: 127.0.0.1 is a loopback address`);
    expect(err.message).toContain("artifactFetch.allowPrivateAddresses");
  });

  it("never shows a presigned URL's query in its messages or its log", async () => {
    const deploy = createDeployProvider(region("upload"), env, {}, ONLY_LOCAL)!;
    const err = await refusal(
      deploy.deploy({
        region: "lab",
        colour: "green",
        artifact: { version: "1.0.0", digest: `sha256:${"0".repeat(64)}`, url: `${base}/ok.tar.gz?${SIGNATURE}` },
        correlationId: "c",
      }),
    );
    expect(err.message).toContain(`digest mismatch: expected sha256:${"0".repeat(64)}, the file at ${base}/ok.tar.gz is ${DIGEST}`);
    const everything = JSON.stringify({ message: err.message, log: (err as ProviderError & { log?: string[] }).log });
    expect(everything).not.toContain("X-Amz-Signature");
    expect(everything).not.toContain("d3adb33f");
  });
});

describe("a presigned artifact URL in a rollout", () => {
  it("never reaches the events or the cards when the server's download of it is refused", async () => {
    const config = notifyConfig();
    config.artifacts.allowHttpHosts = ["127.0.0.1"];
    setConfig({ config, file: DEMO_CONFIG_PATH });
    const h = createHarness({ config });
    try {
      const ada = addUser(h.db, "ada", "Ada", ["deployer"]);
      const reviewers = [addUser(h.db, "rafael", "Rafael", ["reviewer"]), addUser(h.db, "sam", "Sam", ["sre"])];
      writeFileSync(path.join(dir, "key"), "not a key: the deploy never gets as far as SSH\n");
      const region = RegionConfig.parse({
        ...config.regions[0],
        deploy: { provider: "ssh", privateKeyPath: path.join(dir, "key"), port: 1, restartCommand: "true", timeoutSeconds: 5, artifactTransfer: "upload" },
      });
      // The real SSH deploy in upload mode, with the default fetch rules: a URL on the server's loopback is refused.
      const deploy = createDeployProvider(region, { DROPLET_USER: "root", DROPLET_IP_BLUE: "127.0.0.1", DROPLET_IP_GREEN: "127.0.0.1" })!;
      const simulated = cachedProviders(config, h.world, h.clock, process.env);
      const runner = new Runner({ db: h.db, config, clock: h.clock, providersFor: (id) => ({ ...simulated(id), deploy }), id: "runner-presigned" });
      const url = `${base}/ok.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE&${SIGNATURE}`;
      const { rolloutId } = await startRollout(h.as(ada), {
        serviceId: "api",
        artifact: { version: "3.0.0", digest: DIGEST, url, ...BUILT },
        strategy: "sequential",
        regions: [region.id],
      });
      await runner.tick();
      for (const reviewer of reviewers) await approveGate(h.as(reviewer), { rolloutId, regionId: region.id });
      for (let i = 0; i < 5 && !eventsOf(h.db, { type: "deploy.failed" }).length; i++) await runner.tick();

      const [failed] = eventsOf(h.db, { type: "deploy.failed" });
      expect(failed?.message).toContain(`refusing to fetch the artifact from ${base}/ok.tar.gz: 127.0.0.1 is a loopback address`);
      const stored = JSON.stringify([h.db.raw.select().from(events).all(), h.db.raw.select().from(notificationOutbox).all()]);
      expect(h.db.raw.select().from(notificationOutbox).all().length).toBeGreaterThan(0);
      for (const secret of ["X-Amz-Signature", "d3adb33f", "AKIAEXAMPLE", "X-Amz-Credential"]) expect(stored).not.toContain(secret);
    } finally {
      h.cleanup();
    }
  });
});
