import { isIP } from 'node:net';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/** proxy-addr's named ranges, accepted by Fastify's trustProxy. */
const NAMED_PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IPv4/IPv6 address or CIDR range (`10.0.0.0/8`, `fd00::/8`), or one of proxy-addr's names. */
export function isTrustedProxyEntry(value: string): boolean {
  if (NAMED_PROXY_RANGES.has(value)) return true;
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function IsTrustedProxyList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTrustedProxyList',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) =>
          `${args.property} must be a comma-separated list of IP addresses or CIDR ranges ` +
          `(or loopback, linklocal, uniquelocal)`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) && value.every((item) => typeof item === 'string' && isTrustedProxyEntry(item)),
      },
    });
}

/** `memory://`, or a postgres:// / postgresql:// URL with a host. */
export function isDatabaseUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (value === 'memory://') return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname.length > 0;
}

export function IsDatabaseUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDatabaseUrl',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) => `${args.property} must be memory:// or a postgres://user@host:port/database URL`,
        ...options,
      },
      validator: { validate: isDatabaseUrl },
    });
}

export function isRedisUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export function isNatsUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  return value.split(',').every((server) => {
    try {
      const url = new URL(server.trim());
      return (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname.length > 0;
    } catch {
      return false;
    }
  });
}

export function IsNatsUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNatsUrl',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) => `${args.property} must be nats:// or tls:// URLs, separated by commas`,
        ...options,
      },
      validator: { validate: isNatsUrl },
    });
}

export function IsRedisUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRedisUrl',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) => `${args.property} must be a redis:// or rediss:// URL`,
        ...options,
      },
      validator: { validate: isRedisUrl },
    });
}

/** A browser origin exactly as the Origin header carries it: `http(s)://host[:port]`, no path, no trailing slash. */
export function isOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
}

export function IsOriginList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isOriginList',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) =>
          `${args.property} must be a comma-separated list of origins such as https://app.example.com ` +
          `(scheme, host and port only; no wildcard, path or trailing slash)`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) && value.every((item) => typeof item === 'string' && isOrigin(item)),
      },
    });
}
