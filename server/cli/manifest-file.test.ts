/** `rollout start --manifest`: flightdeck.json read from the file or from the root of a built lab artifact, and sent with the start. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildArtifact } from "@/lab/artifacts";
import type { ApiClient } from "./api-client";
import type { CliIo } from "./io";
import { readManifestFile } from "./manifest-file";
import { runRollout } from "./rollout";

const dir = mkdtempSync(path.join(tmpdir(), "fd-manifest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DROP = { id: "0042_drop_legacy_name", class: "contract", description: "drop column users.legacy_name" };

function file(name: string, content: unknown): string {
  const at = path.join(dir, name);
  writeFileSync(at, typeof content === "string" ? content : JSON.stringify(content));
  return at;
}

describe("rollout start --manifest", () => {
  it("reads flightdeck.json at the root of a built artifact and sends it with the start, with an admin's --override-schema", async () => {
    const built = buildArtifact({ version: "1.5.0" }, { dir, baseUrl: "http://127.0.0.1:1", manifest: { migrations: [DROP], readyFor: "1.6.0" } });
    const sent: unknown[] = [];
    const client = { post: async (_path: string, body: unknown) => (sent.push(body), { rolloutId: "r1", url: "http://x/rollouts/r1", regions: ["us-east"] }) };
    const io: CliIo = { out: () => undefined, err: () => undefined, env: {}, tty: false, sleep: async () => undefined };
    const args = ["start", "--service", "api", "--version", "1.5.0", "--digest", built.digest, "--strategy", "sequential"];
    expect(await runRollout([...args, "--manifest", built.path, "--override-schema", "legacy_name was never read"], io, client as unknown as ApiClient)).toBe(
      0,
    );
    expect(sent[0]).toMatchObject({
      artifact: { version: "1.5.0", manifest: { migrations: [DROP], readyFor: "1.6.0" } },
      schemaOverrideReason: "legacy_name was never read",
    });
  });

  it("says which file and which field is wrong, and when an artifact carries no manifest", () => {
    const bad = file("flightdeck.json", { migrations: [{ ...DROP, class: "drop" }] });
    expect(() => readManifestFile(bad)).toThrow(`--manifest: ${bad}: migrations[0].class: expected expand, contract or none, got "drop"`);
    expect(() => readManifestFile(file("broken.json", "{ migrations"))).toThrow(/broken\.json: not valid JSON/);
    const plain = buildArtifact({ version: "1.5.1" }, { dir, baseUrl: "http://127.0.0.1:1" });
    expect(() => readManifestFile(plain.path)).toThrow(`--manifest: ${plain.path} has no flightdeck.json at its root.`);
    expect(() => readManifestFile(path.join(dir, "missing.json"))).toThrow(/--manifest: cannot read .*missing\.json/);
  });
});
