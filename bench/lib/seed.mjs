// Creates over HTTP what the scenarios need: products (admin), users with their access tokens, orders.
import { randomBytes } from 'node:crypto';

const hex = (bytes) => randomBytes(bytes).toString('hex');

async function call(base, method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

async function expectStatus(promise, status, what) {
  const res = await promise;
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 500)}`);
  return res;
}

/** Runs `task(i)` for i < count, `concurrency` at a time (argon2 makes registrations the slow part). */
async function pool(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/** A password the API's policy accepts. */
export const newPassword = () => `bench ${hex(8)} passphrase`;

export class ApiClient {
  constructor(base) {
    this.base = base;
  }

  get(path, token) {
    return call(this.base, 'GET', path, { token });
  }

  /** Any request: `{ status, headers, text, json }`. */
  call(method, path, options) {
    return call(this.base, method, path, options);
  }

  async login(email, password) {
    const res = await expectStatus(
      call(this.base, 'POST', '/v1/auth/login', { body: { email, password } }),
      200,
      `login ${email}`,
    );
    return res.json.accessToken;
  }

  /** `count` new accounts, each `{ id, email, password, token }`. */
  async users(count, label) {
    const run = hex(4);
    return pool(count, 4, async (i) => {
      const email = `${label}-${i}-${run}@bench.example.com`;
      const password = newPassword();
      const created = await expectStatus(
        call(this.base, 'POST', '/v1/auth/register', { body: { email, password, name: `${label} ${i}` } }),
        201,
        `register ${email}`,
      );
      return { id: created.json.id, email, password, token: await this.login(email, password) };
    });
  }

  /** `count` products (admin token), each with `stock`; returns their answers. */
  async products(adminToken, count, label, stock) {
    const run = hex(3).toUpperCase();
    return pool(count, 4, async (i) => {
      const body = {
        sku: `BENCH-${label}-${run}-${i}`,
        name: `Bench ${label} ${i}`,
        description: 'A product the benchmark reads and orders',
        priceCents: 1000 + i,
        currency: 'EUR',
        stock,
      };
      const res = await expectStatus(
        call(this.base, 'POST', '/v1/products', { token: adminToken, body }),
        201,
        `create product ${body.sku}`,
      );
      return res.json;
    });
  }

  /** One order per entry of `lines` (each a list of product ids, quantity 1), sequentially (newest last). */
  async orders(token, lines) {
    const created = [];
    for (const productIds of lines) {
      const body = { items: productIds.map((productId) => ({ productId, quantity: 1 })) };
      const res = await expectStatus(call(this.base, 'POST', '/v1/orders', { token, body }), 201, 'create order');
      created.push(res.json);
    }
    return created;
  }
}
