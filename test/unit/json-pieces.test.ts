// stats.json written in pieces is byte for byte the text of toJson(value) + '\n'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { jsonPieces } from '../../src/files/json-pieces.js';
import { toJson, writeLargeJsonAtomic } from '../../src/files/atomic-json.js';
import { tmpDir } from '../support/helpers.js';

const joined = (v: unknown) => [...jsonPieces(v)].join('');

test('jsonPieces joined equals toJson + newline for arbitrary values', () => {
  fc.assert(
    fc.property(
      fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withDate: true, withSparseArray: true, maxDepth: 5 }),
      (v) => {
        assert.equal(joined(v), toJson(v) + '\n');
      },
    ),
    { numRuns: 1000 },
  );
});

test('jsonPieces: omitted members, toJSON with its key, bigint deep down, text outside Latin-1', () => {
  const cases: unknown[] = [
    {},
    [],
    { a: undefined, b: () => 1, c: Symbol('x') },
    { a: [undefined, () => 1, Symbol('y'), 1] },
    { when: new Date(0), at: { toJSON: (k: string) => `key ${k}` }, list: [{ toJSON: (k: string) => `index ${k}` }] },
    { run: { ns: 123n, deeper: { deeper: { deeper: [1n, { x: 2n }] } } } },
    { text: '− ≤ ε', nested: [[[['−']]]], after: 'ascii' },
    { samples: { events: [{ w1: { system: [1, null, null] } }, {}, []] } },
    { __proto__: null, k: 1 },
    Object.defineProperty({ visible: 1 }, 'hidden', { value: 2, enumerable: false }),
  ];
  for (const v of cases) assert.equal(joined(v), toJson(v) + '\n');
});

test('writeLargeJsonAtomic writes the bytes writeJsonAtomic writes, across its buffer', async () => {
  const dir = tmpDir('chronoeval-json-pieces-');
  const big = {
    note: 'a − sign before',
    rows: Array.from({ length: 3000 }, (_, i) => ({ i, v: [i * 1.5, null, 'ε'.repeat(i % 3)], s: 'x'.repeat(i % 700) })),
    long: 'y'.repeat(1.5 * 1024 * 1024),
  };
  const file = path.join(dir, 'stats.json');
  await writeLargeJsonAtomic(file, big);
  assert.equal(readFileSync(file, 'utf8'), toJson(big) + '\n');
});
