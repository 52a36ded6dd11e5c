/**
 * The rows of a raw `db.execute(sql)` result. Both drivers return `{ rows }`, but drizzle types the
 * result per driver; this is the one place that says so.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
