// B3 / B3-list: verifies the access token, then answers from an in-process Map: the ceiling for an
// authenticated cached read. The bodies are the API's own answers (B3_FIXTURE, written by the bench), keyed
// by the caller where the API keys them by caller.
import { readFileSync } from 'node:fs';
import { createServer, listen, requireEnv, requireToken } from './common.mjs';

const fixture = JSON.parse(readFileSync(requireEnv('B3_FIXTURE'), 'utf8'));
const products = new Map(fixture.products.map((product) => [product.id, product]));
const orders = new Map(fixture.orders.map((order) => [`${order.userId}:${order.id}`, order]));
const pages = new Map(fixture.pages.map(({ userId, limit, page }) => [`${userId}:${limit}`, page]));

const app = createServer();
await requireToken(app);
const notFound = (reply) => reply.code(404).send({ status: 404, title: 'Not Found' });

app.get('/v1/products/:id', async (request, reply) => products.get(request.params.id) ?? notFound(reply));
app.get(
  '/v1/orders/:id',
  async (request, reply) => orders.get(`${request.claims.sub}:${request.params.id}`) ?? notFound(reply),
);
app.get('/v1/orders', async (request, reply) => {
  const limit = Number(request.query.limit ?? 20);
  return pages.get(`${request.claims.sub}:${limit}`) ?? notFound(reply);
});

await listen(app);
