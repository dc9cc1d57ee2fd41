/**
 * The engine's hot statements, prepared once per drizzle handle and run with `await stmt.execute(params)`: a
 * sample pass of a region rollout is a handful of statements, and building and preparing each query anew cost
 * more than running it. A transaction on SQLite shares its connection's handle, so it shares the statements; on
 * PostgreSQL the pool has one handle and each transaction its own.
 *
 * Values bound to a prepared write go through each column's own encoder (`mapToDriverValue`: a boolean as 0/1
 * on SQLite, JSON as text), and the columns written are read from the handle's own table: no column list and no
 * driver encoding is kept by hand.
 */
import { getTableColumns, sql, type SQL, type Table } from "drizzle-orm";
import type { Query, Tables } from "./query";

/** `build(q, t)` once per handle (a handle always comes with the same tables): the statements of one connection. */
export function perHandle<S>(build: (q: Query, t: Tables) => S): (q: Query, t: Tables) => S {
  const cache = new WeakMap<Query, S>();
  return (q, t) => {
    let statements = cache.get(q);
    if (!statements) cache.set(q, (statements = build(q, t)));
    return statements;
  };
}

const names = new Map<string, string>();

/**
 * `builder.prepare()` under a name of its own, the one place that knows prepare differs by dialect: PostgreSQL
 * parses and plans a named statement once per connection and needs a distinct name per statement text (`key` says
 * which statement it is, e.g. `events.insert`; the name sent is short, as PostgreSQL cuts names at 63 bytes);
 * SQLite's `prepare` takes no name and ignores it.
 */
export function prepare<P>(builder: { prepare(): P }, key: string): P {
  let name = names.get(key);
  if (name === undefined) names.set(key, (name = `fd_${names.size + 1}`));
  return (builder.prepare as (name: string) => P).call(builder, name);
}

type ColumnKey<T extends Table> = keyof T["_"]["columns"] & string;

/**
 * The table's columns but `omit`, each bound to a placeholder of its own name (for a prepared SET or VALUES),
 * and `encode(values)`: the driver values of those placeholders, null kept as SQL NULL (drizzle's placeholder
 * binding would write a JSON column's null as the text `null`). A `prefix` names the placeholders apart, for a
 * second row of the same VALUES; `encode(values, bound)` adds to `bound` (one object of both rows' values: a spread
 * of two into a third cost the engine benchmark a quarter more p99 lag on SQLite).
 */
export function boundColumns<T extends Table, K extends ColumnKey<T>>(table: T, omit: readonly K[] = [], prefix = "") {
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => !(omit as readonly string[]).includes(key));
  const placeholders = Object.fromEntries(columns.map(([key]) => [key, sql`${sql.placeholder(prefix + key)}`])) as Record<Exclude<ColumnKey<T>, K>, SQL>;
  const encode = (values: Partial<Record<Exclude<ColumnKey<T>, K>, unknown>>, bound: Record<string, unknown> = {}): Record<string, unknown> => {
    for (const [key, column] of columns) {
      const value = (values as Record<string, unknown>)[key];
      bound[prefix + key] = value === null || value === undefined ? null : column.mapToDriverValue(value);
    }
    return bound;
  };
  return { placeholders, encode };
}
