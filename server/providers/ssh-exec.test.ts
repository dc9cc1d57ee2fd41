import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectError, exitMessage, fingerprintOf, shellQuote, splitHostPort, tail, type SshTarget } from "./ssh-exec";
import { ProviderError } from "./types";

const target: SshTarget = {
  host: "10.0.0.5",
  port: 22,
  username: "deploy",
  privateKey: "k",
  hostKeySha256: "SHA256:abc",
  hostKeySource: "deploy.hostKeySha256",
  connectTimeoutMs: 8000,
};
const sysErr = (props: { code?: string; level?: string; message?: string }) => Object.assign(new Error(props.message ?? "x"), props);

describe("fingerprintOf", () => {
  it("prints SHA256:<base64 without padding> of the key blob, as ssh-keygen -lf does", () => {
    const blob = Buffer.from("a host key blob");
    const b64 = createHash("sha256").update(blob).digest("base64");
    expect(b64.endsWith("=")).toBe(true);
    expect(fingerprintOf(blob)).toBe("SHA256:" + b64.replace(/=+$/, ""));
  });
});

describe("connectError: what the operator reads when a connection fails", () => {
  it.each([
    [{ code: "ECONNREFUSED" }, "cannot reach deploy@10.0.0.5:22 over SSH: connection refused", true],
    [{ code: "EHOSTUNREACH" }, "cannot reach deploy@10.0.0.5:22 over SSH: host unreachable", true],
    [{ code: "ENOTFOUND" }, "cannot reach deploy@10.0.0.5:22 over SSH: host name not found", true],
    [{ level: "client-authentication" }, "SSH login refused for deploy@10.0.0.5:22: the private key was not accepted", false],
    [{ level: "client-timeout" }, "SSH handshake with deploy@10.0.0.5:22 timed out after 8 s", true],
  ])("%j → %s", (props, words, retryable) => {
    const err = connectError("deploy-ssh", target, sysErr(props), null);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toContain(words);
    expect(err.retryable).toBe(retryable);
  });

  it("a host key that differs names both fingerprints and refuses, whatever error ssh2 gave", () => {
    const err = connectError("deploy-ssh", target, sysErr({ level: "client-socket", message: "Host denied" }), "SHA256:other");
    expect(err.message).toBe(
      "host key mismatch for deploy@10.0.0.5:22: the host offers SHA256:other, the config (deploy.hostKeySha256) expects SHA256:abc; refusing to connect",
    );
    expect(err.retryable).toBe(false);
  });

  it("no configured fingerprint refuses too, and says which one the host offers", () => {
    const err = connectError("deploy-ssh", { ...target, hostKeySha256: undefined }, sysErr({}), "SHA256:seen");
    expect(err.message).toContain("no host key fingerprint is configured");
    expect(err.message).toContain("the host offers SHA256:seen");
  });
});

describe("tail and exitMessage", () => {
  it("keeps the last lines of long output", () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    expect(tail(text, 3)).toBe("line 38\nline 39\nline 40");
  });

  it("says which step failed, how, and the end of its stderr", () => {
    expect(exitMessage(`step "restart"`, "root@h:22", { code: 3, signal: null, stdout: "ok\n", stderr: "starting\nport 8080 in use\n" })).toBe(
      `step "restart" on root@h:22 exited with code 3: starting\nport 8080 in use`,
    );
    expect(exitMessage("x", "h", { code: null, signal: "KILL", stdout: "", stderr: "" })).toBe("x on h was killed by KILL: (no output)");
    expect(exitMessage("x", "h", { code: null, signal: null, stdout: "", stderr: "half" })).toBe(
      "x on h ended without an exit status (connection lost?): half",
    );
  });
});

describe("shellQuote and splitHostPort", () => {
  it.each([
    ["plain", "'plain'"],
    ["it's", `'it'\\''s'`],
    ["$(rm -rf /); `x`", "'$(rm -rf /); `x`'"],
  ])("quotes %s", (input, quoted) => expect(shellQuote(input)).toBe(quoted));

  it.each([
    ["127.0.0.1:9999", { host: "127.0.0.1", port: 9999 }],
    ["lb.internal:22", { host: "lb.internal", port: 22 }],
    ["[::1]:9000", { host: "::1", port: 9000 }],
  ])("splits %s", (input, out) => expect(splitHostPort(input)).toEqual(out));

  it("refuses an address without a port", () => expect(() => splitHostPort("127.0.0.1")).toThrow(/expected host:port/));
});
