/**
 * Shape limits for a parsed JSON body (or a query string): checked once, in one pass over the value, before
 * class-transformer and class-validator see it. Both do work per node, and class-transformer's copy of a wide
 * object is quadratic in its number of keys, so an unchecked 1 MiB body could hold the event loop for seconds.
 */
export interface JsonLimits {
  /** Objects and arrays nested deeper than this are refused (the top-level value is depth 1). */
  maxDepth: number;
  /** Keys in any one object. */
  maxKeys: number;
  /** Items in any one array. */
  maxArrayLength: number;
  /** Values of any kind in the whole document. */
  maxNodes: number;
  /** UTF-16 code units in any one string (keys included). */
  maxStringLength: number;
}

export type JsonViolationKind = 'depth' | 'keys' | 'array' | 'nodes' | 'string' | 'unicode';

export interface JsonViolation {
  kind: JsonViolationKind;
  /** Where, as `items[3].name` (`$` for the whole body). */
  path: string;
  /** The limit that was exceeded (not for `unicode`). */
  limit?: number;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

function pathOf(frame: Frame | undefined, lastKey?: string | number): string {
  const keys: Array<string | number> = lastKey === undefined ? [] : [lastKey];
  for (let f = frame; f !== undefined && f.key !== undefined; f = f.parent) keys.push(f.key);
  let path = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i];
    path += typeof key === 'number' ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path === '' ? '$' : path;
}

/** A string JSON can carry but UTF-8 cannot: a lone UTF-16 surrogate (`"\ud800"`). */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

function stringViolation(text: string, limits: JsonLimits): JsonViolationKind | undefined {
  if (text.length > limits.maxStringLength) return 'string';
  return isWellFormed(text) ? undefined : 'unicode';
}

/**
 * The first limit `value` exceeds, or `undefined`. Iterative (no recursion, so no stack overflow however deep
 * the input) and O(nodes visited): it stops at the first violation, and `maxNodes` bounds the walk.
 */
export function findJsonViolation(value: unknown, limits: JsonLimits): JsonViolation | undefined {
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  let nodes = 0;
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if (++nodes > limits.maxNodes) return { kind: 'nodes', path: '$', limit: limits.maxNodes };
    const current = frame.value;
    if (typeof current === 'string') {
      const kind = stringViolation(current, limits);
      if (kind) return { kind, path: pathOf(frame), ...(kind === 'string' ? { limit: limits.maxStringLength } : {}) };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (frame.depth > limits.maxDepth) return { kind: 'depth', path: pathOf(frame), limit: limits.maxDepth };
    if (Array.isArray(current)) {
      if (current.length > limits.maxArrayLength) {
        return { kind: 'array', path: pathOf(frame), limit: limits.maxArrayLength };
      }
      for (let i = current.length - 1; i >= 0; i--) {
        stack.push({ value: current[i], depth: frame.depth + 1, parent: frame, key: i });
      }
      continue;
    }
    const keys = Object.keys(current);
    if (keys.length > limits.maxKeys) return { kind: 'keys', path: pathOf(frame), limit: limits.maxKeys };
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const kind = stringViolation(key, limits);
      if (kind)
        return { kind, path: pathOf(frame, key), ...(kind === 'string' ? { limit: limits.maxStringLength } : {}) };
      stack.push({ value: (current as Record<string, unknown>)[key], depth: frame.depth + 1, parent: frame, key });
    }
  }
  return undefined;
}
