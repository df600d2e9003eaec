import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqSet } from '../../src/protocol/seq-set.js';

test('SeqSet: add reports new vs already present, across bitmap growth and the sparse range', () => {
  const s = new SeqSet();
  for (const x of [0, 1, 31, 32, 100_000, 5_000_000, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
    assert.equal(s.has(x), false, `${x} absent`);
    assert.equal(s.add(x), true, `${x} new`);
    assert.equal(s.add(x), false, `${x} again`);
    assert.equal(s.has(x), true);
  }
  assert.equal(s.size, 8);
  assert.equal(s.has(2), false);
  assert.equal(s.has(99_999), false);
});

test('SeqSet with a base (the join): numbers below the base, fractions and negatives go to the sparse set', () => {
  const s = new SeqSet(1_000);
  for (const x of [1_000, 1_031, 999, -5, 1_000.5, 1_000 + 2 ** 26]) {
    assert.equal(s.has(x), false, `${x} absent`);
    assert.equal(s.add(x), true, `${x} new`);
    assert.equal(s.add(x), false, `${x} again`);
    assert.equal(s.has(x), true);
  }
  assert.equal(s.size, 6);
  assert.equal(s.has(1_001), false);
  assert.equal(s.has(0), false);
});
