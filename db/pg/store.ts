/**
 * The store on PostgreSQL, for several replicas on one database. A repository call outside a transaction runs on
 * the pool; `transaction(fn)` runs `fn` on one pooled connection between BEGIN and COMMIT (READ COMMITTED: the
 * repositories' races are settled by conditional writes, which PostgreSQL re-checks on the row's latest version),
 * and a nested `transaction` is a savepoint. As on SQLite, a transaction's function must use the handle it is
 * given: the outer store would run on another connection, outside the transaction (and could wait for a row lock
 * the transaction holds), so it throws.
 *
 * Each pooled connection keeps one transaction store (its drizzle handle and repositories), so the prepared
 * statements are built once per connection, not once per transaction (building them cost ~4 ms a transaction).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";
import type { Query, Tables } from "../store/query";
import { EXCLUSIVE_OUTSIDE, MISUSE, repositories, saveSampledIn, type Repositories, type Store } from "../store/store";
import { onConnection, type PgQuery } from "./driver";
import { pgLiveSignal } from "./live";
import { saveSampledOnPool } from "./sampled-save";
import { pgTables } from "./schema";

export type PgStore = Store & {
  /** The drizzle handle on the pool, for migrations, tests and benchmarks only (services never see it). */
  raw: PgQuery;
};

/**
 * The one cast between the dialects: the repositories are typed against the SQLite handle and tables, and are
 * given PostgreSQL's. Their query builders share one API for the portable subset the repositories keep to.
 */
const tables = pgTables as unknown as Tables;
const asQuery = (handle: unknown) => handle as Query;

type AnyFn = (...args: never[]) => Promise<unknown>;

export function pgStore(q: PgQuery): PgStore {
  const pool = q.$client;
  const live = pgLiveSignal(pool.options.connectionString);
  const inTransaction = new AsyncLocalStorage<true>();
  const transactionStores = new WeakMap<pg.PoolClient, Store>();

  /** The repository's methods, refusing to run inside a transaction's function. */
  function outsideOnly<R extends object>(repo: R): R {
    const guarded: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(repo))
      guarded[name] =
        typeof fn === "function" ? (...args: Parameters<AnyFn>) => (inTransaction.getStore() ? Promise.reject(new Error(MISUSE)) : (fn as AnyFn)(...args)) : fn;
    return guarded as R;
  }

  /** The store a transaction on this connection is given; made once per connection. */
  function transactionStore(client: pg.PoolClient): Store {
    let store = transactionStores.get(client);
    if (store) return store;
    let savepoints = 0;
    const tx: Store = {
      ...repositories(asQuery(onConnection(client)), tables),
      dialect: "postgres",
      live,
      async exclusive(topic) {
        await client.query("select pg_advisory_xact_lock(hashtext($1))", [`flightdeck:${topic}`]);
      },
      async transaction(fn) {
        const name = `sp${++savepoints}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const result = await fn(tx);
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (error) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw error;
        }
      },
      saveSampled: (save) => saveSampledIn(tx, save),
      close: async () => {
        throw new Error("a transaction cannot close the store");
      },
    };
    transactionStores.set(client, (store = tx));
    return store;
  }

  const repos = repositories(asQuery(q), tables);
  const guardedRepos = Object.fromEntries(Object.entries(repos).map(([name, repo]) => [name, outsideOnly(repo)])) as Repositories;

  return {
    ...guardedRepos,
    dialect: "postgres",
    live,
    exclusive: () => Promise.reject(new Error(EXCLUSIVE_OUTSIDE)),
    raw: q,
    saveSampled: (save) => (inTransaction.getStore() ? Promise.reject(new Error(MISUSE)) : saveSampledOnPool(pool, save)),
    async transaction(fn) {
      if (inTransaction.getStore()) throw new Error(MISUSE);
      const client = await pool.connect();
      let broken: Error | undefined;
      // A connection lost while checked out reports on the client (the pool listens only to idle ones); the
      // statement in flight fails with it too, so it is only kept to have the pool drop the connection.
      const lost = (error: Error) => (broken = error);
      client.on("error", lost);
      try {
        await client.query("BEGIN");
        try {
          const result = await inTransaction.run(true, () => fn(transactionStore(client)));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          // A connection that cannot even roll back is broken: the pool drops it instead of handing it out again.
          await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
          throw error;
        }
      } finally {
        client.off("error", lost);
        client.release(broken);
      }
    },
    close: async () => {
      await live.close();
      await pool.end();
    },
  };
}
