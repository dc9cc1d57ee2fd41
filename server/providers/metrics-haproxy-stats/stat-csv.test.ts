import { describe, expect, it } from "vitest";
import { ProviderError } from "../types";
import { countersOf, countsSince, parseShowStat, showStatCommand } from "./stat-csv";

// HAProxy 2.6's answer to `show stat be_lab 4 -1` (trimmed to the columns up to hrsp_other, plus rtime/ttime).
const HEADER =
  "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,rtime,ttime,";
const row = (server: string, status: string, r: number[], rtime: string, ttime: string) =>
  `be_lab,${server},0,0,0,1,,${r.reduce((a, b) => a + b, 0)},0,0,,0,,0,0,0,0,${status},50,${r.join(",")},${rtime},${ttime},`;
const ANSWER = [HEADER, row("blue", "UP", [0, 190, 0, 0, 0, 0], "12", "13"), row("green", "UP", [0, 171, 0, 10, 19, 0], "14", "15"), "", ""].join("\n");
const servers = { blue: "blue", green: "green" };

describe("HAProxy show stat", () => {
  it("asks for the backend's servers only", () => {
    expect(showStatCommand("be_us-east")).toBe("show stat be_us-east 4 -1");
    expect(() => showStatCommand("be; shutdown")).toThrow(ProviderError);
  });

  it("reads each colour's requests (every HTTP answer), 5xx errors, response and total times by column name", () => {
    const rows = parseShowStat(ANSWER);
    if ("refused" in rows) throw new Error(rows.refused);
    expect(countersOf(rows, "be_lab", servers, "admin.sock")).toEqual({
      blue: { requests: 190, errors: 0, responseMs: 12, totalMs: 13, status: "UP" },
      green: { requests: 200, errors: 19, responseMs: 14, totalMs: 15, status: "UP" },
    });
  });

  it("a server that has answered nothing has no times", () => {
    const rows = parseShowStat([HEADER, row("blue", "no check", [0, 0, 0, 0, 0, 0], "0", "0"), row("green", "DOWN", [0, 0, 0, 0, 0, 0], "0", "0")].join("\n"));
    if ("refused" in rows) throw new Error(rows.refused);
    expect(countersOf(rows, "be_lab", servers, "x").green).toEqual({ requests: 0, errors: 0, responseMs: null, totalMs: null, status: "DOWN" });
  });

  it("HAProxy's refusal is returned in its words", () => {
    expect(parseShowStat("No such proxy.\n\n")).toEqual({ refused: "No such proxy." });
    expect(parseShowStat("")).toEqual({ refused: "(empty answer)" });
  });

  it("a server missing from the answer, or a counter that is not a count, is an error naming it", () => {
    const rows = parseShowStat(ANSWER);
    if ("refused" in rows) throw new Error(rows.refused);
    expect(() => countersOf(rows, "be_lab", { blue: "blue", green: "greeen" }, "admin.sock")).toThrow(
      'HAProxy at admin.sock has no server be_lab/greeen (green) in "show stat"',
    );
    const tcp = parseShowStat(
      [HEADER, row("blue", "UP", [0, 1, 0, 0, 0, 0], "1", "1").replace(",0,1,0,0,0,0,", ",,,,,,,"), row("green", "UP", [0, 1, 0, 0, 0, 0], "1", "1")].join(
        "\n",
      ),
    );
    if ("refused" in tcp) throw new Error(tcp.refused);
    expect(() => countersOf(tcp, "be_lab", servers, "admin.sock")).toThrow(
      'HAProxy at admin.sock shows "" for hrsp_1xx of be_lab/blue: expected a count (is the backend in mode http?)',
    );
  });

  it("counts between two reads are the difference; counters that went down were reset, and count from 0", () => {
    expect(countsSince({ requests: 1000, errors: 3 }, { requests: 1250, errors: 16 })).toEqual({ requests: 250, errors: 13 });
    expect(countsSince({ requests: 1000, errors: 3 }, { requests: 40, errors: 2 })).toEqual({ requests: 40, errors: 2 });
  });
});
