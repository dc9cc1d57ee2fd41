/**
 * A Slack incoming-webhook stand-in on 127.0.0.1 with a switchable fault: it takes cards (200 "ok", as Slack
 * does), or answers 429 with a Retry-After, or 500, or hangs (reads the card, never answers). Every POST is
 * recorded with when it came, what the receiver answered, and the card's delivery key and possible-repeat mark,
 * so a test counts what a Slack channel would have shown.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type SlackFault = "none" | "http-500" | "hang" | { status429RetryAfterSeconds: number };

export type SlackPost = {
  at: number;
  /** The status answered, or "hung" when the receiver never answered. */
  answer: number | "hung";
  key: string | null;
  possibleRepeat: boolean;
  text: string;
};

export type SlackReceiver = {
  url: string;
  setFault(fault: SlackFault): void;
  posts: SlackPost[];
  /** The cards taken (answered 200), by delivery key. */
  accepted(): Map<string, SlackPost[]>;
  stop(): Promise<void>;
};

export async function startSlackReceiver(): Promise<SlackReceiver> {
  let fault: SlackFault = "none";
  const posts: SlackPost[] = [];
  const hung = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const f = fault;
    const answer = f === "none" ? 200 : f === "http-500" ? 500 : f === "hang" ? ("hung" as const) : 429;
    posts.push({ at: Date.now(), answer, key: /flightdeck-outbox-\d+/.exec(text)?.[0] ?? null, possibleRepeat: text.includes("possible repeat of"), text });
    if (answer === "hung") {
      hung.add(res);
      res.on("close", () => hung.delete(res));
      return;
    }
    const headers: Record<string, string> = { "content-type": "text/plain" };
    if (typeof f === "object") headers["retry-after"] = String(f.status429RetryAfterSeconds);
    res.writeHead(answer, headers);
    res.end(answer === 200 ? "ok" : answer === 429 ? "rate_limited" : "internal_error");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/lab-secret`,
    setFault: (next) => void (fault = next),
    posts,
    accepted: () => {
      const byKey = new Map<string, SlackPost[]>();
      for (const p of posts.filter((x) => x.answer === 200)) byKey.set(p.key ?? "", [...(byKey.get(p.key ?? "") ?? []), p]);
      return byKey;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
