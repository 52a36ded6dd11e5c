import { sql } from 'drizzle-orm';
import { DatabaseClient, rowsOf } from '@app/database';

/** Row counts and change markers of every table a request can write, as text. */
export type Fingerprint = Readonly<Record<string, string>>;

/**
 * One cheap query, one scan per table of libs/{users,auth,catalog,orders,idempotency}/src/*.schema.ts: what any
 * insert, update or delete would move (counts, max(updated_at), sum(version), stock, quantities, token states).
 */
const FINGERPRINT = sql`select * from
  (select count(*)::text as "users.rows",
          coalesce(max(updated_at)::text, '-') as "users.updated_at",
          coalesce(sum(version), 0)::text as "users.version",
          coalesce(sum(session_version), 0)::text as "users.session_version"
     from users) u,
  (select count(*)::text as "products.rows",
          coalesce(max(updated_at)::text, '-') as "products.updated_at",
          coalesce(sum(version), 0)::text as "products.version",
          coalesce(sum(stock), 0)::text as "products.stock"
     from products) p,
  (select count(*)::text as "orders.rows",
          coalesce(max(updated_at)::text, '-') as "orders.updated_at",
          coalesce(sum(version), 0)::text as "orders.version"
     from orders) o,
  (select count(*)::text as "order_items.rows", coalesce(sum(quantity), 0)::text as "order_items.quantity"
     from order_items) i,
  (select count(*)::text as "refresh_tokens.rows",
          count(used_at)::text as "refresh_tokens.used",
          count(revoked_at)::text as "refresh_tokens.revoked"
     from refresh_tokens) r,
  (select count(*)::text as "idempotency_keys.rows",
          count(*) filter (where state = 'in_progress')::text as "idempotency_keys.in_progress"
     from idempotency_keys) k`;

export class DbFingerprint {
  constructor(private readonly client: DatabaseClient) {}

  async take(): Promise<Fingerprint> {
    const [row] = rowsOf<Record<string, unknown>>(await this.client.db.execute(FINGERPRINT));
    return Object.fromEntries(Object.entries(row ?? {}).map(([name, value]) => [name, String(value)]));
  }
}

/** Values a rejected request may legitimately move (see {@link fingerprintChanges}). */
export interface AllowedChanges {
  /** May rise by exactly one (an idempotency key recording a 4xx outcome). */
  growByOne?: readonly string[];
  /** May rise by any amount (a reused refresh token revoking its whole session). */
  grow?: readonly string[];
}

/** What changed between two fingerprints, as `name: before → after`, leaving out the changes `allowed`. */
export function fingerprintChanges(before: Fingerprint, after: Fingerprint, allowed: AllowedChanges = {}): string[] {
  const rise = (name: string) => Number(after[name]) - Number(before[name]);
  return Object.keys(before)
    .filter((name) => before[name] !== after[name])
    .filter((name) => !(allowed.growByOne?.includes(name) && rise(name) === 1))
    .filter((name) => !(allowed.grow?.includes(name) && rise(name) > 0))
    .map((name) => `${name}: ${before[name]} → ${after[name]}`);
}
