import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyUpstreamScript, NGINX_TEST_FAILED_EXIT, parseUpstream, readbackOf, renderUpstream } from "./upstream";

const spec = { upstream: "be_apac-se", servers: { blue: "127.0.0.1:19301", green: "127.0.0.1:19302" } };

describe("renderUpstream", () => {
  it("writes each colour's percent as its weight", () => {
    expect(renderUpstream(spec, { blue: 75, green: 25 })).toBe(
      [
        "# Written by Flightdeck: each canary stage rewrites this file (edits here are overwritten).",
        "# blue 75 % / green 25 %",
        "upstream be_apac-se {",
        "    server 127.0.0.1:19301 weight=75; # blue",
        "    server 127.0.0.1:19302 weight=25; # green",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("writes a colour at 0 as down (nginx refuses weight=0)", () => {
    const text = renderUpstream(spec, { blue: 100, green: 0 });
    expect(text).toContain("server 127.0.0.1:19302 down; # green");
    expect(text).not.toContain("weight=0");
  });

  it.each([
    [{ ...spec, upstream: "api { } server evil" }, { blue: 50, green: 50 }, /upstream name/],
    [{ ...spec, servers: { blue: "127.0.0.1:1; include /etc/passwd", green: "x:1" } }, { blue: 50, green: 50 }, /is not host:port/],
    [{ ...spec, servers: { blue: "a:1", green: "a:1" } }, { blue: 50, green: 50 }, /the same server address/],
    [spec, { blue: 0, green: 0 }, /both blue and green down/],
  ])("refuses %j with %j", (s, w, message) => expect(() => renderUpstream(s, w)).toThrow(message));
});

describe("parseUpstream", () => {
  it.each([[{ blue: 90, green: 10 }], [{ blue: 0, green: 100 }], [{ blue: 100, green: 0 }]])("reads back what renderUpstream wrote: %j", (w) =>
    expect(parseUpstream(renderUpstream(spec, w), spec)).toEqual(w),
  );

  it("reads a file written by hand (no weight is 1, down is 0, other upstreams ignored)", () => {
    const text = `upstream other { server 127.0.0.1:19301 weight=7; }\nupstream be_apac-se {\n  server 127.0.0.1:19301 max_fails=3;\n  server 127.0.0.1:19302 down;\n  keepalive 8;\n}\n`;
    expect(parseUpstream(text, spec)).toEqual({ blue: 1, green: 0 });
  });

  it.each([
    ["", /no "upstream be_apac-se \{ ... \}" block/],
    ["upstream be_apac-se { server 127.0.0.1:19301 weight=5; }", /no readable server line for green \(127.0.0.1:19302\)/],
  ])("says what is missing in %j", (text, message) => expect(() => parseUpstream(text, spec)).toThrow(message));
});

describe("applyUpstreamScript, with a stand-in nginx", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeNginx(testExit: number) {
    dir = mkdtempSync(path.join(tmpdir(), "nginx-apply-"));
    const bin = path.join(dir, "nginx");
    const log = path.join(dir, "calls");
    writeFileSync(
      bin,
      `#!/bin/sh\necho "$*" >> ${log}\nif [ "$1" = "-t" ]; then [ ${testExit} = 0 ] || { echo 'nginx: [emerg] invalid port in upstream "127.0.0.1:99999"' >&2; exit 1; }; fi\nexit 0\n`,
    );
    chmodSync(bin, 0o755);
    const file = path.join(dir, "upstream.conf");
    writeFileSync(file, "OLD\n");
    return { bin, file, calls: () => readFileSync(log, "utf8").trim().split("\n") };
  }

  it("a file nginx -t accepts is put in place, nginx reloaded, and the file printed back", () => {
    const { bin, file, calls } = fakeNginx(0);
    const run = spawnSync("sh", ["-c", applyUpstreamScript(file, bin)], { encoding: "utf8", input: "NEW\n" });
    expect(run.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("NEW\n");
    expect(readbackOf(run.stdout)).toBe("NEW\n");
    expect(calls()).toEqual(["-t", "-s reload"]);
    expect(existsSync(`${file}.flightdeck-previous`)).toBe(false);
  });

  it("a file nginx -t rejects leaves the old file in place, no reload, and nginx's words on stderr", () => {
    const { bin, file, calls } = fakeNginx(1);
    const run = spawnSync("sh", ["-c", applyUpstreamScript(file, bin)], { encoding: "utf8", input: "NEW\n" });
    expect(run.status).toBe(NGINX_TEST_FAILED_EXIT);
    expect(readbackOf(run.stdout)).toBeNull();
    expect(run.stderr).toContain('invalid port in upstream "127.0.0.1:99999"');
    expect(readFileSync(file, "utf8")).toBe("OLD\n");
    expect(calls()).toEqual(["-t"]);
  });
});
