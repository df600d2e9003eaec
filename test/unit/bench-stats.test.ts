import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentileSorted, relativeScheduleErrors, spread } from '../../bench/harness/stats.js';
import { fmt, ratio, renderTable } from '../../bench/harness/table.js';

test('nearest-rank percentiles: p50 of 1..100 is 50, p99 is 99, and nothing is invented for no data', () => {
  const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentileSorted(s, 0.5), 50);
  assert.equal(percentileSorted(s, 0.99), 99);
  assert.equal(percentileSorted(s, 1), 100);
  assert.deepEqual(spread([3, 1, 2]), { n: 3, min: 1, p50: 2, p99: 3, max: 3 });
  assert.equal(spread([]), null);
  assert.throws(() => percentileSorted(new Float64Array(0), 0.5));
});

test('schedule errors without a known origin: relative to the best-aligned event', () => {
  // true errors 5, 3, 9, 3 µs on a 1 ms schedule whose origin is 1000 ns before the first due time
  const due = [0, 1_000_000, 2_000_000, 3_000_000];
  const origin = 7_000_000_000n;
  const stamps = [5000, 3000, 9000, 3000].map((e, i) => origin + BigInt(due[i]! + e));
  assert.deepEqual([...relativeScheduleErrors(stamps, due)], [2000, 0, 6000, 0]);
  assert.throws(() => relativeScheduleErrors(stamps, due.slice(1)));
});

test('table: missing values print as a dash, ratios only when both sides exist', () => {
  assert.equal(fmt(null, 'µs'), '—');
  assert.equal(fmt(12.345, 'µs'), '12.3 µs');
  assert.equal(fmt(20000, 'ev/s'), '20,000 ev/s');
  assert.equal(ratio(30, 10), '3.00×');
  assert.equal(ratio(30, null), '—');
  const t = renderTable([{ id: '1', figure: 'x', value: 1, baseline: null, unit: 's', target: '', met: null }]);
  assert.match(t, /\| 1 +\| x +\| +1\.00 s \| +— \| +— \|/);
});
