/**
 * The chaos suite's card receiver on 127.0.0.1: a webhook endpoint that answers 200 and counts every POST by
 * the idempotency key the card carries (`Delivery key: flightdeck-outbox-<id>`, docs/notifications.md), telling
 * a first copy from one marked "Possible repeat of flightdeck-outbox-<id>".
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type CardPost = { at: number; key: string | null; repeat: boolean };

/** The key and repeat mark of one posted payload (its JSON text). */
export function cardPostOf(text: string, at = Date.now()): CardPost {
  const repeatOf = /possible repeat of (flightdeck-outbox-\d+)/i.exec(text)?.[1];
  const key = /Delivery key: `?(flightdeck-outbox-\d+)/.exec(text)?.[1] ?? repeatOf ?? null;
  return { at, key, repeat: repeatOf !== undefined };
}

export async function startCardReceiver() {
  const posts: CardPost[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    posts.push(cardPostOf(Buffer.concat(chunks).toString("utf8")));
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/chaos`,
    posts,
    /** The posts of one key, in order: "first" or "repeat" each. */
    postsOf: (key: string) => posts.filter((p) => p.key === key).map((p) => (p.repeat ? "repeat" : "first")),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
