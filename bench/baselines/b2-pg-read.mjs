// B2: verifies the access token, then reads the product by primary key with a prepared statement (S2 on
// the database, no cache). Same table, same JSON as `GET /v1/products/{id}`.
import { createPool, createServer, listen, requireToken, UUID } from './common.mjs';

const pool = createPool();
const app = createServer();
await requireToken(app);
app.addHook('onClose', () => pool.end());

const byId = {
  name: 'bench_product_by_id',
  text: `select id, sku, name, description, price_cents, currency, stock, active, created_at, updated_at, version
         from products where id = $1`,
};

app.get('/v1/products/:id', async (request, reply) => {
  const { id } = request.params;
  if (!UUID.test(id)) return reply.code(400).send({ status: 400, title: 'Bad Request' });
  const { rows } = await pool.query({ ...byId, values: [id.toLowerCase()] });
  const row = rows[0];
  if (!row) return reply.code(404).send({ status: 404, title: 'Not Found' });
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    priceCents: row.price_cents,
    currency: row.currency,
    stock: row.stock,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
});

await listen(app);
