import type { DbExecutor } from './database.types';

/** What a drizzle query builder offers once its values are `sql.placeholder(...)`s. */
interface Preparable<TResult> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<TResult> };
}

/**
 * The parts of drizzle's prepared query (the same on node-postgres and PGlite, drizzle-orm 0.45) that a new one
 * needs: the SQL text and its parameters (placeholders), and how rows map to the builder's fields.
 */
interface BuiltQuery {
  queryString: string;
  params: unknown[];
  fields: unknown;
  _isResponseInArrayMode: boolean;
  customResultMapper: unknown;
  queryMetadata: unknown;
  cacheConfig: unknown;
}

type PrepareQuery = (
  query: { sql: string; params: unknown[] },
  fields: unknown,
  name: string,
  isResponseInArrayMode: boolean,
  customResultMapper: unknown,
  queryMetadata: unknown,
  cacheConfig: unknown,
) => { execute(values?: Record<string, unknown>): Promise<unknown> };

/**
 * A hot statement whose SQL is built once and then run on whichever executor the caller holds: the root handle
 * or a transaction. drizzle's own `.prepare()` binds a statement to the handle it was built on, so inside a
 * transaction every call would build its SQL again (the query builder was about a fifth of an order's CPU in
 * the profile); drizzle has no public way to reuse one across transactions (drizzle-orm#613, #2826). This runs
 * the built SQL through the executor's session (`db._.session`, typed, public since 0.3x) with the same row
 * mapping. On node-postgres the name also makes it a server-side prepared statement, parsed once per
 * connection. The test beside it runs it on both drivers, inside and outside a transaction, so a drizzle
 * upgrade that changes these internals fails there.
 *
 * Use it only for statements of a fixed shape (values as `sql.placeholder('name')`), declared once per
 * repository (a module-level constant), each with a unique name.
 */
export class PreparedStatement<TResult, TValues extends object> {
  private built: BuiltQuery | undefined;

  constructor(
    readonly name: string,
    private readonly build: (db: DbExecutor) => Preparable<TResult>,
  ) {}

  execute(db: DbExecutor, values: TValues): Promise<TResult> {
    const built = (this.built ??= this.build(db).prepare(this.name) as unknown as BuiltQuery);
    const session = db._.session as unknown as { prepareQuery: PrepareQuery };
    return session
      .prepareQuery(
        { sql: built.queryString, params: built.params },
        built.fields,
        this.name,
        built._isResponseInArrayMode,
        built.customResultMapper,
        built.queryMetadata,
        built.cacheConfig,
      )
      .execute(values as Record<string, unknown>) as Promise<TResult>;
  }
}
