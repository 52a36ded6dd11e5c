import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');

it('docs/testing.md shows test/e2e/docs-example.e2e.spec.ts exactly as it is (the example keeps passing)', () => {
  const doc = readFileSync(resolve(root, 'docs', 'testing.md'), 'utf8');
  const file = readFileSync(resolve(root, 'test', 'e2e', 'docs-example.e2e.spec.ts'), 'utf8');
  const after = doc.slice(doc.indexOf('**is** `test/e2e/docs-example.e2e.spec.ts`'));
  const block = /```ts\n([^]*?)```/.exec(after)?.[1];
  expect(block, 'the ts block after "The example below is …" in docs/testing.md').toBe(file);
});
