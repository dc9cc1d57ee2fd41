import { expect, it } from "vitest";
import { sseParser } from "./feeds";

it("splits an SSE stream into events however the chunks fall, keeping the last id and skipping comments", () => {
  const events: Array<{ event: string; id: string | null; data: string }> = [];
  const parse = sseParser((e) => events.push(e));
  const stream =
    'event: connected\ndata: {"json":{}}\n\n: keep-alive\n\nid: 7\ndata: {"json":{"id":7,\r\ndata: "at":1}}\r\n\r\nevent: ping\ndata:\n\ndata: x\n\n';
  const cuts = [...Array.from({ length: Math.ceil(stream.length / 5) }, (_, i) => i * 5), stream.indexOf("\r") + 1, stream.length].sort((a, b) => a - b);
  for (let i = 0; i + 1 < cuts.length; i++) parse(stream.slice(cuts[i], cuts[i + 1]));
  expect(events).toEqual([
    { event: "connected", id: null, data: '{"json":{}}' },
    { event: "message", id: "7", data: '{"json":{"id":7,\n"at":1}}' },
    { event: "ping", id: "7", data: "" },
    { event: "message", id: "7", data: "x" },
  ]);
});
