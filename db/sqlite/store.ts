/**
 * The store on SQLite. better-sqlite3 runs every statement synchronously on one connection, so the connection is
 * taken in turns, first come first served: a transaction (`BEGIN IMMEDIATE … COMMIT` around the caller's async
 * function) holds the turn until it ends, and so does every call of a repository outside one, for its whole
 * duration (a call of several statements must not have a transaction begin between two of them, nor one of its
 * statements land inside another caller's transaction). The turn is handed from one caller to the next, so a
 * burst wakes each waiter once. A nested `transaction` is a savepoint. A transaction's function must use the
 * handle it is given: reaching for the outer store from inside it would wait for itself (and deadlock on
 * PostgreSQL), so it throws.
 *
 * The live signal: a root call or a committed transaction that wrote events or samples tells the listeners at once;
 * commits by another process on the same file (a worker running apart) are heard through the file's write-ahead
 * log (`walWatch`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as schema from "../schema";
import { EXCLUSIVE_OUTSIDE, liveListeners, MISUSE, repositories, saveSampledIn, type LiveSignal, type Repositories, type Store } from "../store/store";
import type { SqliteQuery } from "./driver";
import { walWatch } from "./live";

export type SqliteStore = Store & {
  /** The drizzle handle, for migrations, tests and benchmarks only (services never see it). */
  raw: SqliteQuery;
  $client: SqliteQuery["$client"];
};

type AnyFn = (...args: never[]) => Promise<unknown>;

/** The repository methods that write what live pages show. */
const LIVE_WRITES: Readonly<Record<string, readonly string[]>> = { events: ["insertOne", "insertAll"], samples: ["insert"] };

export function sqliteStore(q: SqliteQuery): SqliteStore {
  const client = q.$client;
  const listeners = liveListeners();
  const wal = walWatch(client.name, () => listeners.emit());
  const live: LiveSignal = {
    subscribe(listener) {
      const unsubscribe = listeners.subscribe(listener);
      const release = wal.hold();
      return () => {
        unsubscribe();
        release();
      };
    },
  };
  /** Whether the call or transaction holding the turn wrote events or samples (one holder at a time: one flag). */
  let liveWritten = false;
  const repos = markLiveWrites(repositories(q, schema), () => (liveWritten = true));
  const inTransaction = new AsyncLocalStorage<true>();
  let busy = false;
  const waiting: Array<() => void> = [];
  let savepoints = 0;

  /** Take the turn: at once when free, else after every caller queued before (the turn is handed over). */
  function take(): Promise<void> | undefined {
    if (!busy) {
      busy = true;
      return undefined;
    }
    if (inTransaction.getStore()) throw new Error(MISUSE);
    return new Promise((resolve) => waiting.push(resolve));
  }

  function hand(): void {
    const next = waiting.shift();
    if (next) next();
    else busy = false;
  }

  async function inTurn<T>(run: () => Promise<T>): Promise<T> {
    const wait = take();
    if (wait) await wait;
    try {
      return await run();
    } finally {
      if (liveWritten) listeners.emit();
      liveWritten = false;
      hand();
    }
  }

  function gate<R extends object>(repo: R): R {
    const gated: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(repo))
      gated[name] = typeof fn === "function" ? (...args: Parameters<AnyFn>) => inTurn(() => (fn as AnyFn)(...args)) : fn;
    return gated as R;
  }

  const txStore: Store = {
    ...repos,
    dialect: "sqlite",
    live,
    // BEGIN IMMEDIATE: no other transaction runs until this one ends.
    exclusive: async () => undefined,
    async transaction(fn) {
      const name = `sp${++savepoints}`;
      client.exec(`SAVEPOINT ${name}`);
      try {
        const result = await fn(txStore);
        client.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        client.exec(`ROLLBACK TO ${name}`);
        client.exec(`RELEASE ${name}`);
        throw error;
      }
    },
    saveSampled: (save) => saveSampledIn(txStore, save),
    close: async () => {
      throw new Error("a transaction cannot close the store");
    },
  };

  const gatedRepos = Object.fromEntries(Object.entries(repos).map(([name, repo]) => [name, gate(repo)])) as Repositories;

  const transaction: Store["transaction"] = (fn) =>
    inTurn(async () => {
      client.exec("BEGIN IMMEDIATE");
      try {
        const result = await inTransaction.run(true, () => fn(txStore));
        client.exec("COMMIT");
        return result;
      } catch (error) {
        if (client.inTransaction) client.exec("ROLLBACK");
        liveWritten = false;
        throw error;
      }
    });

  return {
    ...gatedRepos,
    dialect: "sqlite",
    live,
    exclusive: () => Promise.reject(new Error(EXCLUSIVE_OUTSIDE)),
    raw: q,
    $client: client,
    transaction,
    saveSampled: (save) => transaction((tx) => saveSampledIn(tx, save)),
    close: () =>
      inTurn(async () => {
        wal.close();
        client.close();
      }),
  };
}

/** The repositories with their live writes (LIVE_WRITES) calling `written` once they ran. */
function markLiveWrites(repos: Repositories, written: () => void): Repositories {
  const marked: Record<string, unknown> = { ...repos };
  for (const [name, methods] of Object.entries(LIVE_WRITES)) {
    const repo = { ...(repos[name as keyof Repositories] as Record<string, AnyFn>) };
    for (const method of methods) {
      const write = repo[method];
      repo[method] = async (...args: Parameters<AnyFn>) => {
        const result = await write(...args);
        written();
        return result;
      };
    }
    marked[name] = repo;
  }
  return marked as Repositories;
}
