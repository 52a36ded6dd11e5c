/**
 * JSON written as text, never built as a value and passed to `JSON.stringify`. That way a document nested 100,000
 * deep costs this process no stack, and text no value can hold (lone surrogate escapes, duplicate keys,
 * literals outside the grammar) can be sent too.
 */
export type JsonText = string;

export const jsonString = (value: string): JsonText => JSON.stringify(value);

/** `{"name": value, ...}` in the given order; a name may repeat (JSON.parse keeps the last). */
export const objectText = (members: ReadonlyArray<readonly [string, JsonText]>): JsonText =>
  `{${members.map(([name, value]) => `${jsonString(name)}:${value}`).join(',')}}`;

const built = new Map<string, JsonText>();

/** Large texts are built once per process: the fuzz sends them many times and must stay cheap on the client. */
function once(key: string, build: () => JsonText): JsonText {
  let text = built.get(key);
  if (text === undefined) {
    text = build();
    built.set(key, text);
  }
  return text;
}

/** `[[[…]]]`, `depth` arrays deep around `innermost` (nothing by default). */
export const nestedArrays = (depth: number, innermost: JsonText = ''): JsonText =>
  once(`arrays:${depth}:${innermost}`, () => '['.repeat(depth) + innermost + ']'.repeat(depth));

/** `{"a":{"a":…}}`, `depth` objects deep around `innermost`. */
export const nestedObjects = (depth: number, innermost: JsonText = '0'): JsonText =>
  once(`objects:${depth}:${innermost}`, () => '{"a":'.repeat(depth) + innermost + '}'.repeat(depth));

const KEY_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The i-th shortest key over [0-9a-zA-Z]: 120,000 distinct keys fit in three characters each. */
function shortKey(index: number): string {
  let key = '';
  let rest = index;
  do {
    key = KEY_ALPHABET[rest % KEY_ALPHABET.length] + key;
    rest = Math.floor(rest / KEY_ALPHABET.length);
  } while (rest > 0);
  return key;
}

/** An object with `count` distinct short keys, each set to `value` (120,000 keys with `0` ≈ 0.93 MiB). */
export const manyKeysObject = (count: number, value: JsonText = '0'): JsonText =>
  once(`keys:${count}:${value}`, () => {
    const members: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) members[i] = `"${shortKey(i)}":${value}`;
    return `{${members.join(',')}}`;
  });

/** An array of `count` copies of `item`. */
export const repeatedArray = (count: number, item: JsonText): JsonText =>
  once(`repeat:${count}:${item}`, () => `[${new Array<string>(count).fill(item).join(',')}]`);

/**
 * `count` order lines, each naming a different product. The ids are short (`{"productId":"a1b"}`, not UUIDs) so that
 * 50,000 lines fit the default 1 MiB body limit: what counts is that they are distinct, which makes a naive
 * uniqueness check quadratic.
 */
export const distinctOrderLines = (count: number): JsonText =>
  once(`lines:${count}`, () => {
    const lines: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) lines[i] = `{"productId":"${shortKey(i)}"}`;
    return `[${lines.join(',')}]`;
  });
