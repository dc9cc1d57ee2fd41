/**
 * The store on SQLite. better-sqlite3 runs every statement synchronously on one connection, so an async
 * transaction is `BEGIN IMMEDIATE … COMMIT` around the caller's function, and while it is open every other
 * caller of the store waits its turn (a statement from elsewhere would otherwise land inside it). A nested
 * `transaction` is a savepoint. A transaction's function must use the handle it is given: reaching for the
 * outer store from inside it is a bug that would deadlock on PostgreSQL, so it throws here.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { repositories, type Repositories, type Store } from "../store/store";
import type { SqliteQuery } from "./driver";

export type SqliteStore = Store & {
  /** The drizzle handle, for migrations, tests and benchmarks only (services never see it). */
  raw: SqliteQuery;
  $client: SqliteQuery["$client"];
};

type AnyFn = (...args: never[]) => unknown;

export function sqliteStore(q: SqliteQuery): SqliteStore {
  const client = q.$client;
  const repos = repositories(q);
  const inTransaction = new AsyncLocalStorage<true>();
  let open: Promise<void> | null = null;
  let savepoints = 0;

  async function waitTurn(): Promise<void> {
    while (open) {
      if (inTransaction.getStore()) throw new Error("the store was used inside a transaction: use the transaction's own handle (tx), not the outer store");
      await open;
    }
  }

  function gate<R extends object>(repo: R): R {
    const gated: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(repo)) {
      if (typeof fn !== "function") {
        gated[name] = fn;
        continue;
      }
      // Checked again after waking: another waiter may have opened a transaction in between.
      const call = (...args: Parameters<AnyFn>): unknown => (open ? waitTurn().then(() => call(...args)) : (fn as AnyFn)(...args));
      gated[name] = call;
    }
    return gated as R;
  }

  const txStore: Store = {
    ...repos,
    dialect: "sqlite",
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
    close: async () => {
      throw new Error("a transaction cannot close the store");
    },
  };

  const gatedRepos = Object.fromEntries(Object.entries(repos).map(([name, repo]) => [name, gate(repo)])) as Repositories;

  return {
    ...gatedRepos,
    dialect: "sqlite",
    raw: q,
    $client: client,
    async transaction(fn) {
      // Checked again after waking: another waiter may have opened a transaction in between.
      while (open) await waitTurn();
      let release!: () => void;
      open = new Promise((resolve) => (release = resolve));
      try {
        client.exec("BEGIN IMMEDIATE");
        try {
          const result = await inTransaction.run(true, () => fn(txStore));
          client.exec("COMMIT");
          return result;
        } catch (error) {
          if (client.inTransaction) client.exec("ROLLBACK");
          throw error;
        }
      } finally {
        open = null;
        release();
      }
    },
    async close() {
      while (open) await waitTurn();
      client.close();
    },
  };
}
