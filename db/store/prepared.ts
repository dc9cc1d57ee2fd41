/**
 * The engine's hot statements, prepared once per drizzle handle and run with `await stmt.execute(params)`: a
 * sample pass of a region rollout is a handful of statements, and building and preparing each query anew cost
 * more than running it. A transaction on SQLite shares its connection's handle, so it shares the statements.
 *
 * Values bound to a prepared write go through each column's own encoder (`mapToDriverValue`: a boolean as 0/1
 * on SQLite, JSON as text), and the columns written are read from the table itself: no column list and no
 * driver encoding is kept by hand.
 */
import { getTableColumns, sql, type SQL, type Table } from "drizzle-orm";

/** `build(q)` once per handle: the statements of one connection. */
export function perHandle<Q extends object, S>(build: (q: Q) => S): (q: Q) => S {
  const cache = new WeakMap<Q, S>();
  return (q) => {
    let statements = cache.get(q);
    if (!statements) cache.set(q, (statements = build(q)));
    return statements;
  };
}

type ColumnKey<T extends Table> = keyof T["_"]["columns"] & string;

/**
 * The table's columns but `omit`, each bound to a placeholder of its own name (for a prepared SET or VALUES),
 * and `encode(values)`: the driver values of those placeholders, null kept as SQL NULL (drizzle's placeholder
 * binding would write a JSON column's null as the text `null`).
 */
export function boundColumns<T extends Table, K extends ColumnKey<T>>(table: T, omit: readonly K[] = []) {
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => !(omit as readonly string[]).includes(key));
  const placeholders = Object.fromEntries(columns.map(([key]) => [key, sql`${sql.placeholder(key)}`])) as Record<Exclude<ColumnKey<T>, K>, SQL>;
  const encode = (values: Partial<Record<Exclude<ColumnKey<T>, K>, unknown>>): Record<string, unknown> => {
    const bound: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = (values as Record<string, unknown>)[key];
      bound[key] = value === null || value === undefined ? null : column.mapToDriverValue(value);
    }
    return bound;
  };
  return { placeholders, encode };
}
