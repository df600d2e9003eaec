import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { cellToString, rowsToCsv, type Cell } from '../../src/files/csv-writer.js';

const cell: fc.Arbitrary<Cell> = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\n', '\r', ' ', 'é', '\u{1F600}', '-') }),
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constant(null),
  fc.constant(undefined),
);

test('rowsToCsv is byte-identical to csv-stringify on any cells', () => {
  fc.assert(
    fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { maxLength: 20 }), (rows) => {
      const expected = stringify(rows.map((r) => r.map(cellToString)));
      assert.equal(rowsToCsv(rows), expected);
    }),
    { numRuns: 500 },
  );
});

test('rowsToCsv quotes only what must be quoted and keeps empty cells empty', () => {
  assert.equal(rowsToCsv([[1n, null, 'x,y', 'say "hi"', undefined, 'a\nb', 'plain']]), '1,,"x,y","say ""hi""",,"a\nb",plain\n');
  assert.equal(rowsToCsv([]), '');
});
