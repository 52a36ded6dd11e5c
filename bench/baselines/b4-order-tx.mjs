// B4: verifies the access token and creates an order as hand-written SQL in one transaction, every
// statement prepared: a conditional stock decrement per line (id order), the order row, all its items in one
// insert. Same tables and the same JSON as `POST /v1/orders`.
import { createPool, createServer, listen, requireToken, UUID } from './common.mjs';

const pool = createPool();
const app = createServer();
await requireToken(app);
app.addHook('onClose', () => pool.end());

const takeStock = {
  name: 'bench_take_stock',
  text: `update products set stock = stock - $2, version = version + 1, updated_at = now()
         where id = $1 and active and stock >= $2
         returning id, sku, name, price_cents, currency`,
};
const insertOrder = {
  name: 'bench_insert_order',
  text: `insert into orders (user_id, total_cents, currency) values ($1, $2, $3)
         returning id, user_id, status, total_cents, currency, version, created_at, updated_at`,
};
const insertItems = {
  name: 'bench_insert_items',
  text: `insert into order_items (order_id, line_no, product_id, sku, name, unit_price_cents, quantity, line_total_cents)
         select $1, * from unnest($2::int[], $3::uuid[], $4::text[], $5::text[], $6::int[], $7::int[], $8::bigint[])
         returning product_id, sku, name, unit_price_cents, quantity, line_total_cents`,
};

const problem = (reply, status, title) => reply.code(status).send({ status, title });

/** `{ items: [{ productId, quantity }] }`, 1-50 distinct products, quantity 1-1000; otherwise undefined. */
function linesOf(body) {
  const items = body?.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > 50) return undefined;
  const lines = items.map((item) => ({ productId: String(item?.productId).toLowerCase(), quantity: item?.quantity }));
  const valid = lines.every(
    (line) =>
      UUID.test(line.productId) && Number.isInteger(line.quantity) && line.quantity >= 1 && line.quantity <= 1000,
  );
  if (!valid || new Set(lines.map((line) => line.productId)).size !== lines.length) return undefined;
  return lines;
}

app.post('/v1/orders', async (request, reply) => {
  const lines = linesOf(request.body);
  if (!lines) return problem(reply, 400, 'Bad Request');
  const client = await pool.connect();
  try {
    await client.query('begin');
    const taken = [];
    for (const line of [...lines].sort((a, b) => a.productId.localeCompare(b.productId))) {
      const { rows } = await client.query({ ...takeStock, values: [line.productId, line.quantity] });
      if (rows.length === 0) {
        await client.query('rollback');
        return problem(reply, 409, 'Conflict');
      }
      taken.push({ ...rows[0], quantity: line.quantity });
    }
    if (new Set(taken.map((row) => row.currency)).size > 1) {
      await client.query('rollback');
      return problem(reply, 422, 'Unprocessable Content');
    }
    const position = new Map(lines.map((line, index) => [line.productId, index]));
    taken.sort((a, b) => position.get(a.id) - position.get(b.id));
    const total = taken.reduce((sum, row) => sum + row.price_cents * row.quantity, 0);
    const order = (await client.query({ ...insertOrder, values: [request.claims.sub, total, taken[0].currency] }))
      .rows[0];
    const items = await client.query({
      ...insertItems,
      values: [
        order.id,
        taken.map((_, index) => index + 1),
        taken.map((row) => row.id),
        taken.map((row) => row.sku),
        taken.map((row) => row.name),
        taken.map((row) => row.price_cents),
        taken.map((row) => row.quantity),
        taken.map((row) => row.price_cents * row.quantity),
      ],
    });
    await client.query('commit');
    return reply
      .code(201)
      .header('location', `/v1/orders/${order.id}`)
      .send({
        id: order.id,
        userId: order.user_id,
        status: order.status,
        items: items.rows.map((row) => ({
          productId: row.product_id,
          sku: row.sku,
          name: row.name,
          unitPriceCents: row.unit_price_cents,
          quantity: row.quantity,
          lineTotalCents: Number(row.line_total_cents),
        })),
        totalCents: Number(order.total_cents),
        currency: order.currency,
        version: order.version,
        createdAt: order.created_at.toISOString(),
        updatedAt: order.updated_at.toISOString(),
      });
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
});

await listen(app);
