// Size and CPU time of each brotli quality and gzip level on an S4-shaped answer (GET /v1/orders?limit=20: a
// page of 20 two-line orders, as the bench seeds it), with the same synchronous zlib calls @fastify/compress
// makes for answers up to its syncThreshold. The levels in libs/core/src/http/compression.ts come from here.
//
//   node bench/tools/compression-levels.mjs [answer.json]
//
// With a file, that body is measured instead (e.g. a real S4 answer saved with curl). Best run pinned to an
// idle core (`taskset -c 1 node …`): the times are medians of 5 batches, but a busy machine still moves them.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';

function s4Page() {
  const run = randomBytes(3).toString('hex').toUpperCase();
  const products = Array.from({ length: 20 }, (_, i) => ({
    id: randomUUID(),
    sku: `BENCH-WRITE-${run}-${i}`,
    name: `Bench WRITE ${i}`,
    priceCents: 1000 + i,
  }));
  const userId = randomUUID();
  const start = Date.now();
  const data = Array.from({ length: 20 }, (_, i) => {
    const lines = [products[i % 20], products[(i + 1) % 20]];
    const at = new Date(start - i * 137).toISOString();
    return {
      id: randomUUID(),
      userId,
      status: 'pending',
      items: lines.map((p) => ({
        productId: p.id,
        sku: p.sku,
        name: p.name,
        unitPriceCents: p.priceCents,
        quantity: 1,
        lineTotalCents: p.priceCents,
      })),
      totalCents: lines[0].priceCents + lines[1].priceCents,
      currency: 'EUR',
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
  });
  return JSON.stringify({ data, nextCursor: null });
}

const body = Buffer.from(process.argv[2] ? readFileSync(process.argv[2], 'utf8') : s4Page());

/** Median over 5 batches of the microseconds one call takes. */
function microseconds(compress) {
  for (let i = 0; i < 100; i++) compress();
  const batches = [];
  for (let batch = 0; batch < 5; batch++) {
    const calls = 200;
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) compress();
    batches.push(Number(process.hrtime.bigint() - started) / calls / 1000);
  }
  return batches.sort((a, b) => a - b)[2];
}

const quality = (q) => ({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: q } });
const codecs = [
  ...[1, 3, 4, 5, 6, 8, 11].map((q) => [`br ${q}`, () => zlib.brotliCompressSync(body, quality(q))]),
  ...[1, 4, 6, 9].map((level) => [`gzip ${level}`, () => zlib.gzipSync(body, { level })]),
];

const lines = [
  `identity: ${body.length} bytes`,
  '',
  '| codec | bytes | saved | µs per call |',
  '| --- | --- | --- | --- |',
];
for (const [name, compress] of codecs) {
  const bytes = compress().length;
  const saved = `${(100 * (1 - bytes / body.length)).toFixed(1)}%`;
  lines.push(`| ${name} | ${bytes} | ${saved} | ${microseconds(compress).toFixed(0)} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
