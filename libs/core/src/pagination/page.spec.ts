import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { CursorCodec } from './cursor-codec';
import { toPage } from './page';

const codec = new CursorCodec(loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-for-to-page-0123456789abcdef' }));
const SCOPE = 'orders?status=pending';

interface Row {
  id: string;
  createdAt: Date;
  note: string;
}
const rows: Row[] = Array.from({ length: 4 }, (_, i) => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  createdAt: new Date(Date.UTC(2024, 0, 10 - i)),
  note: `row ${i}`,
}));
const positionOf = (row: Row) => ({ createdAt: row.createdAt, id: row.id });

describe('toPage', () => {
  it('returns an empty last page for no rows', () => {
    expect(toPage([], 3, positionOf, codec, SCOPE)).toEqual({ data: [], nextCursor: null });
  });

  it('returns exactly limit rows as the last page', () => {
    expect(toPage(rows.slice(0, 3), 3, positionOf, codec, SCOPE)).toEqual({ data: rows.slice(0, 3), nextCursor: null });
  });

  it('drops the extra row of limit + 1 and points the cursor at the last row returned', () => {
    const page = toPage(rows, 3, positionOf, codec, SCOPE);
    expect(page.data).toEqual(rows.slice(0, 3));
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(codec.decode(page.nextCursor!, SCOPE)).toEqual(positionOf(rows[2]));
    expect(() => codec.decode(page.nextCursor!, 'orders')).toThrow();
  });

  it('does not hand back the caller’s array', () => {
    const input = rows.slice(0, 2);
    expect(toPage(input, 3, positionOf, codec, SCOPE).data).not.toBe(input);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => toPage(rows, 0, positionOf, codec, SCOPE)).toThrow(RangeError);
    expect(() => toPage(rows, 1.5, positionOf, codec, SCOPE)).toThrow(RangeError);
  });
});
