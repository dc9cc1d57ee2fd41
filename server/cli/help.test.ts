/**
 * CLI manners: every command and every subcommand answers `--help` (and `-h`, and `help <command>`) with its usage
 * and exits 0, without reaching for a server, a database or a config. The table of commands is checked against
 * what the dispatchers really accept, so a new command without help fails here.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "./help";
import { main } from "./main";

/** The `case "x":` labels of a dispatcher's switch. */
const casesOf = (file: string) => [...readFileSync(path.join("server/cli", file), "utf8").matchAll(/case "([a-z-]+)":/g)].map((m) => m[1]);

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out: out.join(""), err: err.join("") };
}
afterEach(() => vi.restoreAllMocks());

const every = Object.entries(COMMANDS).flatMap(([name, c]) => [[name], ...Object.keys(c.subcommands ?? {}).map((sub) => [name, sub])]);

describe("flightdeck --help", () => {
  it("has help for exactly the commands and subcommands the dispatchers take", () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(casesOf("main.ts").sort());
    expect(Object.keys(COMMANDS.rollout.subcommands!).sort()).toEqual(casesOf("rollout.ts").sort());
    expect(Object.keys(COMMANDS.users.subcommands!).sort()).toEqual(["add", "disable", "enable", "list"]);
    expect(Object.keys(COMMANDS.notify.subcommands!)).toEqual(["test"]);
    expect(Object.keys(COMMANDS.db.subcommands!)).toEqual(["copy"]);
  });

  it.each(every.map((words) => [words.join(" "), words] as const))("flightdeck %s --help prints its usage and exits 0", async (_, asked) => {
    for (const argv of [
      [...asked, "--help"],
      [...asked, "-h"],
      ["help", ...asked],
    ]) {
      const { code, out, err } = await run(argv);
      expect(code, argv.join(" ")).toBe(0);
      expect(err).toBe("");
      expect(out).toMatch(new RegExp(`^Usage: flightdeck ${asked.join(" ")} `));
    }
  });

  it("answers --help among other arguments, and lists every command on its own", async () => {
    const pause = await run(["rollout", "pause", "ro_1", "--region", "eu", "--help"]);
    expect(pause).toMatchObject({ code: 0, out: expect.stringContaining("flightdeck rollout pause <rollout id> --region <id|us|eu|apac>") });
    const all = await run(["--help"]);
    expect(all.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(all.out).toContain(`  ${name} `);
    expect((await run(["rollback", "--help"])).out).toContain("flightdeck rollback --all --service <id> [--idempotency-key <key>]");
  });

  it("works from the real bin, as the issue found it broken: `flightdeck rollout --help`", () => {
    const res = spawnSync(process.execPath, [path.resolve("scripts/flightdeck.mjs"), "rollout", "start", "--help"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, NODE_ENV: "test" },
    });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^Usage: flightdeck rollout start --service <id>/);
  });
});
