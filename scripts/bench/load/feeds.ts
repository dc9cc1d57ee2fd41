/**
 * Live feeds as the dashboard opens them: `regions.live`, tRPC's SSE subscription (httpSubscriptionLink's GET),
 * with a signed-in session's cookie. Each feed parses the stream and stamps when each item arrives; a stored
 * event's delay is its arrival less its `at` (stamped inside the transaction that commits it, so the delay is
 * from commit, give or take that transaction's few ms). A dropped feed reconnects from the last id it saw, as
 * the browser's link does, and is counted.
 */
export type FeedStats = {
  /** Stored events received: arrival − event.at, ms. */
  delaysMs: number[];
  /** `sample.taken` notices received (announced, not stored), all feeds together. */
  notices: number;
  reconnects: number;
  errors: string[];
};

type FeedItem = { id: number; at: number; type: string };

/** fetch's "fetch failed" with the reason under it (a refused or timed-out connection, a reset). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause ? `${err.message} (${cause.code ?? cause.message})` : err.message;
}

/** Splits an SSE byte stream into events (`event` name and joined `data` lines), per the EventSource format. */
export function sseParser(onEvent: (event: { event: string; id: string | null; data: string }) => void): (chunk: string) => void {
  let buffer = "";
  let fields = { event: "", id: null as string | null, data: [] as string[] };
  return (chunk) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.search(/\r\n|\n|\r/)) !== -1) {
      if (newline === buffer.length - 1 && buffer.endsWith("\r")) break; // a \r\n cut between two chunks
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (fields.data.length > 0 || fields.event) onEvent({ event: fields.event || "message", id: fields.id, data: fields.data.join("\n") });
        fields = { event: "", id: fields.id, data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (name === "data") fields.data.push(value);
      else if (name === "event") fields.event = value;
      else if (name === "id") fields.id = value;
    }
  };
}

/** Opens `count` feeds; they run until `signal` aborts. Resolves once every feed has its first answer. */
export async function openFeeds(base: string, cookie: string, count: number, signal: AbortSignal): Promise<{ stats: FeedStats; done: Promise<void> }> {
  const stats: FeedStats = { delaysMs: [], notices: 0, reconnects: 0, errors: [] };
  const connected: Array<Promise<void>> = [];
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    let ready!: () => void;
    connected.push(new Promise<void>((resolve) => (ready = resolve)));
    running.push(follow(base, cookie, stats, signal, ready));
  }
  await Promise.race([Promise.all(connected), new Promise((r) => setTimeout(r, 60_000))]);
  return { stats, done: Promise.all(running).then(() => undefined) };
}

async function follow(base: string, cookie: string, stats: FeedStats, signal: AbortSignal, ready: () => void): Promise<void> {
  let lastEventId: string | null = null;
  for (let attempt = 0; !signal.aborted; attempt++) {
    if (attempt > 0) {
      stats.reconnects++;
      await new Promise((r) => setTimeout(r, 500));
    }
    const input = encodeURIComponent(JSON.stringify({ json: { lastEventId } }));
    try {
      const res = await fetch(`${base}/api/trpc/regions.live?input=${input}`, { headers: { cookie, accept: "text/event-stream" }, signal });
      ready();
      if (!res.ok || !res.body) {
        stats.errors.push(`regions.live answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
        continue;
      }
      const parse = sseParser(({ event, id, data }) => {
        if (event !== "message" || !data) return;
        const arrived = Date.now();
        const item = ((JSON.parse(data) as { json?: FeedItem }).json ?? JSON.parse(data)) as FeedItem;
        if (id !== null) lastEventId = id;
        if (item.type === "sample.taken") stats.notices++;
        else if (typeof item.at === "number") stats.delaysMs.push(arrived - item.at);
      });
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parse(decoder.decode(chunk.value, { stream: true }));
    } catch (err) {
      ready();
      if (!signal.aborted) stats.errors.push(`regions.live: ${describeError(err)}`);
    }
  }
}
