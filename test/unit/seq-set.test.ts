import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqSet } from '../../src/worker/seq-set.js';

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
