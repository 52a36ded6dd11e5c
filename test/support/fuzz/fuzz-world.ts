import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { ADMIN, type TokenPair } from '../auth';
import type { FuzzRequest, HeaderList, HttpFuzzRequest } from './fuzz-request';
import type { Answer, KeepAliveClient } from './http-client';
import { type ListName, PLACEHOLDER, type Principal, PRINCIPALS } from './placeholders';
import { Route } from './routes';

interface Account {
  id: string;
  email: string;
  password: string;
  tokens: TokenPair | undefined;
  /** Its session was (or may have been) ended by a fuzz request: log in again before the next request. */
  stale: boolean;
  /** After a failed login (e.g. rate limited), when to try again (in requests). */
  retryAt: number;
}

interface Versioned {
  id: string;
  version: number;
  /** Changed since last seen (an order reserved or returned its stock): read it again before using its ETag. */
  stale?: boolean;
}

/** A request with its placeholders replaced, and which placeholders it used. */
export interface Resolved {
  request: FuzzRequest;
  used: ReadonlySet<string>;
}

/** Used when nothing of a kind is known yet: a well-formed UUID that names nothing. */
const NOBODY = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
const MAX_REMEMBERED = 64;

const pick = <T>(items: readonly T[], index: number): T | undefined =>
  items.length === 0 ? undefined : items[index % items.length];

const parseJson = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const asVersioned = (value: unknown): Versioned | undefined =>
  isRecord(value) && typeof value.id === 'string' && typeof value.version === 'number'
    ? { id: value.id, version: value.version }
    : undefined;

const asTokenPair = (value: unknown): TokenPair | undefined =>
  isRecord(value) && typeof value.accessToken === 'string' && typeof value.refreshToken === 'string'
    ? (value as unknown as TokenPair)
    : undefined;

function remember(list: Versioned[], entity: Versioned | undefined): void {
  if (!entity) return;
  const known = list.find((item) => item.id === entity.id);
  if (known) {
    known.version = entity.version;
    known.stale = false;
  } else if (list.length < MAX_REMEMBERED) list.push(entity);
}

/** The product ids of an order body's lines. */
const orderedProducts = (body: unknown): string[] =>
  isRecord(body) && Array.isArray(body.items)
    ? body.items.flatMap((line) => (isRecord(line) && typeof line.productId === 'string' ? [line.productId] : []))
    : [];

const PRODUCT_ETAG = /⟦(?:etag|staleEtag):product:(\d+)⟧/g;

/** The one character of a cursor that gets changed to tamper with it. */
const tamper = (cursor: string): string => cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11);

/**
 * What the fuzz knows about the app's state: its two accounts (a normal user and the bootstrap admin) and their
 * sessions, throw-away accounts for admin changes, products, orders, cursors and idempotency keys seen so far.
 * Resolves placeholders before a request and learns from each answer after it.
 */
export class FuzzWorld {
  private readonly products: Versioned[] = [];
  private readonly orders: Versioned[] = [];
  private readonly userIds: string[] = [];
  private readonly victimIds: string[] = [];
  private readonly cursors = new Map<string, string>();
  private readonly idempotencyKeys: string[] = [];
  private requests = 0;
  relogins = 0;
  failedRelogins = 0;

  private constructor(
    private readonly client: KeepAliveClient,
    private readonly accounts: Record<Principal, Account>,
  ) {}

  /** Creates the accounts, a few products and orders the fuzz starts from. */
  static async create(client: KeepAliveClient, options: { victims: number }): Promise<FuzzWorld> {
    const userEmail = `fuzz-user-${randomBytes(4).toString('hex')}@example.test`;
    const userPassword = `Pw-${randomBytes(12).toString('base64url')}`;
    const account = (email: string, password: string): Account => ({
      id: '',
      email,
      password,
      tokens: undefined,
      stale: true,
      retryAt: 0,
    });
    const world = new FuzzWorld(client, {
      user: account(userEmail, userPassword),
      admin: account(ADMIN.email, ADMIN.password),
    });
    world.accounts.user.id = await world.register(userEmail, userPassword);
    for (let i = 0; i < options.victims; i++) {
      world.victimIds.push(
        await world.register(`fuzz-victim-${i}-${randomBytes(4).toString('hex')}@example.test`, userPassword),
      );
    }
    await world.ensureSessions();
    for (const who of PRINCIPALS) if (world.accounts[who].stale) throw new Error(`setup: ${who} could not log in`);
    world.userIds.push(world.accounts.user.id, world.accounts.admin.id, ...world.victimIds);

    for (let i = 0; i < 4; i++) {
      const sku = `FUZZ-${i}-${randomBytes(4).toString('hex').toUpperCase()}`;
      const product = {
        sku,
        name: `Fuzz product ${i}`,
        priceCents: 100 + i,
        currency: 'EUR',
        stock: 1_000_000,
        active: i !== 3,
      };
      remember(world.products, asVersioned(await world.call('admin', 'POST', '/v1/products', product, 201)));
    }
    for (const who of PRINCIPALS) {
      const items = [{ productId: world.products[0].id, quantity: 1 }];
      const order = await world.call(who, 'POST', '/v1/orders', { items }, 201);
      remember(world.orders, asVersioned(order));
      world.productsChanged(orderedProducts(order));
    }
    return world;
  }

  /**
   * Gets the world ready for a request: sessions a request ended are logged in again, and products whose ETag the
   * request uses are read again if an order changed them since. True when it sent anything.
   */
  async prepare(request: FuzzRequest): Promise<boolean> {
    const loggedIn = await this.ensureSessions();
    let refreshed = false;
    const texts = request.kind === 'raw' ? request.chunks : [request.target, ...request.headers.map(([, v]) => v)];
    for (const text of texts) {
      for (const [, index] of text.matchAll(PRODUCT_ETAG)) {
        const product = pick(this.products, Number(index));
        if (!product?.stale) continue;
        refreshed = true;
        const current = await this.call('admin', 'GET', `/v1/products/${product.id}`, undefined, 200);
        remember(this.products, asVersioned(current));
      }
    }
    return loggedIn || refreshed;
  }

  /** Logs in again every account whose session a request ended; true when it sent anything. */
  private async ensureSessions(): Promise<boolean> {
    this.requests++;
    let sent = false;
    for (const who of PRINCIPALS) {
      const account = this.accounts[who];
      if (!account.stale || this.requests < account.retryAt) continue;
      sent = true;
      const answer = await this.post('/v1/auth/login', { email: account.email, password: account.password });
      const tokens = answer && answer.status === 200 ? asTokenPair(parseJson(answer.body)) : undefined;
      if (tokens) {
        account.tokens = tokens;
        account.stale = false;
        account.id ||= String(decodeJwt(tokens.accessToken).sub);
        this.relogins++;
      } else {
        account.retryAt = this.requests + 50;
        this.failedRelogins++;
      }
    }
    return sent;
  }

  resolve(request: FuzzRequest): Resolved {
    const used = new Set<string>();
    const fill = (text: string): string =>
      text.includes('⟦')
        ? text.replace(PLACEHOLDER, (_, name: string) => {
            used.add(name);
            return this.valueOf(name);
          })
        : text;
    if (request.kind === 'raw') return { request: { ...request, chunks: request.chunks.map(fill) }, used };
    const headers: HeaderList = request.headers.map(([name, value]) => [name, fill(value)] as const);
    const body = request.body && { ...request.body, text: fill(request.body.text) };
    return { request: { ...request, target: fill(request.target), headers, body }, used };
  }

  /** Learns from an answer: new entities and versions, cursors, rotated or ended sessions. */
  observe(request: HttpFuzzRequest, used: ReadonlySet<string>, answer: Answer): void {
    const caller = PRINCIPALS.find((who) => used.has(`bearer:${who}`));
    const key = request.headers.find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1];
    if (key !== undefined && this.idempotencyKeys.length < MAX_REMEMBERED) this.idempotencyKeys.push(key);
    if (answer.status === 401 && caller) this.accounts[caller].stale = true;
    if (answer.status >= 300) return;
    const body = parseJson(answer.body);
    switch (request.route) {
      case Route.logoutAll:
        if (caller) this.accounts[caller].stale = true;
        break;
      case Route.logout:
        for (const who of PRINCIPALS) if (used.has(`refresh:${who}`)) this.accounts[who].stale = true;
        break;
      case Route.refresh:
        for (const who of PRINCIPALS) {
          const tokens = asTokenPair(body);
          if (used.has(`refresh:${who}`) && tokens) this.accounts[who].tokens = tokens;
        }
        break;
      case Route.register: {
        const id = isRecord(body) && typeof body.id === 'string' ? body.id : undefined;
        if (id && this.userIds.length < MAX_REMEMBERED) this.userIds.push(id);
        break;
      }
      case Route.createProduct:
      case Route.getProduct:
      case Route.patchProduct:
        remember(this.products, asVersioned(body));
        break;
      case Route.createOrder:
      case Route.getOrder:
      case Route.cancelOrder:
      case Route.changeOrderStatus:
        remember(this.orders, asVersioned(body));
        if (request.route !== Route.getOrder) this.productsChanged(orderedProducts(body));
        break;
      case Route.listProducts:
      case Route.listOrders:
      case Route.listUsers:
        if (isRecord(body) && typeof body.nextCursor === 'string') {
          this.cursors.set(request.route.slice('GET /v1/'.length), body.nextCursor);
        }
        break;
    }
  }

  /** Stock moved: the products' versions moved with it. */
  private productsChanged(ids: readonly string[]): void {
    for (const product of this.products) if (ids.includes(product.id)) product.stale = true;
  }

  /** The access token of an account (empty while it has no session). */
  accessToken(who: Principal): string {
    return this.accounts[who].tokens?.accessToken ?? '';
  }

  /** A known product (created at setup, so there always is one), by index. */
  product(index: number): Versioned {
    return this.products[index % this.products.length];
  }

  private valueOf(placeholder: string): string {
    const [name = '', first = '', second = ''] = placeholder.split(':');
    const index = (text: string): number => Number(text) || 0;
    switch (name) {
      case 'bearer':
        return `Bearer ${this.accessToken(first as Principal)}`;
      case 'token':
        return this.accessToken(first as Principal);
      case 'refresh':
        return this.accounts[first as Principal].tokens?.refreshToken ?? '';
      case 'email':
        return this.accounts[first as Principal].email;
      case 'password':
        return this.accounts[first as Principal].password;
      case 'product':
      case 'order':
      case 'user':
      case 'victim': {
        const id = pick(this.idsOf(name), index(first)) ?? NOBODY;
        return second === 'upper' ? id.toUpperCase() : id;
      }
      case 'etag':
      case 'staleEtag': {
        const version = pick(first === 'order' ? this.orders : this.products, index(second))?.version ?? 1;
        return `"v${name === 'etag' ? version : version - 1}"`;
      }
      case 'cursor': {
        const cursor = this.cursors.get(first as ListName) ?? 'AQAAAZS3RZ9w';
        return second === 'tampered' ? tamper(cursor) : cursor;
      }
      case 'idem':
        return pick(this.idempotencyKeys, index(first)) ?? 'fuzz-idempotency-key';
      default:
        throw new Error(`unknown placeholder ⟦${placeholder}⟧`);
    }
  }

  private idsOf(kind: 'product' | 'order' | 'user' | 'victim'): readonly string[] {
    switch (kind) {
      case 'product':
        return this.products.map((p) => p.id);
      case 'order':
        return this.orders.map((o) => o.id);
      case 'user':
        return this.userIds;
      case 'victim':
        return this.victimIds;
    }
  }

  private async post(target: string, payload: unknown, headers: HeaderList = []): Promise<Answer | undefined> {
    const outcome = await this.client.send({
      kind: 'http',
      route: 'setup',
      method: 'POST',
      target,
      headers: [['content-type', 'application/json'], ...headers],
      body: { text: JSON.stringify(payload), encoding: 'utf8' },
    });
    return outcome.kind === 'answered' ? outcome.answer : undefined;
  }

  private async register(email: string, password: string): Promise<string> {
    const answer = await this.post('/v1/auth/register', { email, password, name: 'Fuzz account' });
    const body = answer && parseJson(answer.body);
    if (answer?.status !== 201 || !isRecord(body) || typeof body.id !== 'string') {
      throw new Error(`setup: register answered ${answer?.status}: ${answer?.body.toString().slice(0, 300)}`);
    }
    return body.id;
  }

  private async call(
    who: Principal,
    method: string,
    target: string,
    payload: unknown,
    status: number,
  ): Promise<unknown> {
    const authorization = ['authorization', `Bearer ${this.accessToken(who)}`] as const;
    const outcome = await this.client.send({
      kind: 'http',
      route: 'setup',
      method,
      target,
      headers: payload === undefined ? [authorization] : [['content-type', 'application/json'], authorization],
      body: payload === undefined ? undefined : { text: JSON.stringify(payload), encoding: 'utf8' },
    });
    if (outcome.kind !== 'answered' || outcome.answer.status !== status) {
      const seen =
        outcome.kind === 'answered'
          ? `${outcome.answer.status} ${outcome.answer.body.toString().slice(0, 300)}`
          : outcome.reason;
      throw new Error(`setup: ${method} ${target} answered ${seen}`);
    }
    return parseJson(outcome.answer.body);
  }
}
