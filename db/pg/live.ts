/**
 * The live signal on PostgreSQL: one connection per process, outside the pool, LISTENs on `flightdeck_live`
 * (sent by the insert triggers of events and samples, migration 0004) and tells this process's listeners. It
 * connects when the first listener subscribes and ends with the last one. A lost connection is opened again
 * after a second; meanwhile the live pages fall back to their once-a-second look, so nothing is lost.
 */
import pg from "pg";
import { liveListeners, type LiveSignal } from "../store/store";

const CHANNEL = "flightdeck_live";
const RECONNECT_MS = 1_000;

export function pgLiveSignal(connectionString: string | undefined): LiveSignal & { close(): Promise<void> } {
  const listeners = liveListeners();
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;

  function connect(): void {
    const next = new pg.Client({ connectionString });
    client = next;
    const lost = () => {
      next.removeAllListeners();
      void next.end().catch(() => undefined);
      if (client !== next) return;
      client = null;
      if (listeners.size > 0) retry = setTimeout(connect, RECONNECT_MS).unref();
    };
    next.on("notification", () => listeners.emit());
    next.on("error", lost);
    next.on("end", lost);
    next
      .connect()
      .then(() => next.query(`LISTEN ${CHANNEL}`))
      // A signal missed while connecting costs a reader one look at most: tell them to look now.
      .then(() => listeners.emit())
      .catch(lost);
  }

  function disconnect(): Promise<void> {
    if (retry) clearTimeout(retry);
    retry = null;
    const current = client;
    client = null;
    if (!current) return Promise.resolve();
    current.removeAllListeners();
    current.on("error", () => undefined);
    return current.end().catch(() => undefined);
  }

  return {
    subscribe(listener) {
      const unsubscribe = listeners.subscribe(listener);
      if (!client && !retry) connect();
      return () => {
        unsubscribe();
        if (listeners.size === 0) void disconnect();
      };
    },
    close: disconnect,
  };
}
