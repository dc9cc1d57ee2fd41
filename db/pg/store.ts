/**
 * The store on PostgreSQL, for several replicas on one database. A repository call outside a transaction runs on
 * the pool; `transaction(fn)` runs `fn` on one pooled connection between BEGIN and COMMIT (READ COMMITTED: the
 * repositories' races are settled by conditional writes, which PostgreSQL re-checks on the row's latest version),
 * and a nested `transaction` is a savepoint. As on SQLite, a transaction's function must use the handle it is
 * given: the outer store would run on another connection, outside the transaction (and could wait for a row lock
 * the transaction holds), so it throws.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Query, Tables } from "../store/query";
import { MISUSE, repositories, type Repositories, type Store } from "../store/store";
import type { PgQuery } from "./driver";
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
type PgTransaction = Parameters<Parameters<PgQuery["transaction"]>[0]>[0];

export function pgStore(q: PgQuery): PgStore {
  const inTransaction = new AsyncLocalStorage<true>();

  /** The repository's methods, refusing to run inside a transaction's function. */
  function outsideOnly<R extends object>(repo: R): R {
    const guarded: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(repo))
      guarded[name] =
        typeof fn === "function"
          ? (...args: Parameters<AnyFn>) => {
              if (inTransaction.getStore()) return Promise.reject(new Error(MISUSE));
              return (fn as AnyFn)(...args);
            }
          : fn;
    return guarded as R;
  }

  function txStore(tx: PgTransaction): Store {
    return {
      ...repositories(asQuery(tx), tables),
      dialect: "postgres",
      transaction: (fn) => tx.transaction((inner) => fn(txStore(inner))),
      close: async () => {
        throw new Error("a transaction cannot close the store");
      },
    };
  }

  const repos = repositories(asQuery(q), tables);
  const guardedRepos = Object.fromEntries(Object.entries(repos).map(([name, repo]) => [name, outsideOnly(repo)])) as Repositories;

  return {
    ...guardedRepos,
    dialect: "postgres",
    raw: q,
    transaction: (fn) => {
      if (inTransaction.getStore()) return Promise.reject(new Error(MISUSE));
      return q.transaction((tx) => inTransaction.run(true, () => fn(txStore(tx))));
    },
    close: () => q.$client.end(),
  };
}
