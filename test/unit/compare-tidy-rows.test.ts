// tidyRows: the counts of a (small, hand-made) stats.json become tidy rows, pooled as node '';
// a section an older stats.json lacks gives no row, never a 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidyRows, type TidyRow } from '../../analysis/compare/tidy-rows.js';

const R = (count: number, total: number) => ({ count, total, share: total ? count / total : null });
const dist = (p50: number, p99: number) => ({ unit: 'ns', n: 10, p50, p99 });
const emptyDist = { unit: 'ns', n: 0, p50: null, p99: null };

const stats = {
  schema_version: 1,
  readings: [
    { source: 'bounded', role: 'coordinator', node: null, availability: R(10, 10) },
    { source: 'bounded', role: 'worker', node: null, availability: R(19, 20) },
    { source: 'bounded', role: 'worker', node: 'w1', availability: R(9, 10) },
  ],
  bound_quality: [
    {
      source: 'bounded',
      role: 'worker',
      node: null,
      coverage: R(18, 19),
      abs_point_error: dist(1500, 90000),
      half_width: dist(4000, 8000),
    },
    { source: 'ntp', role: 'worker', node: null, coverage: null, abs_point_error: emptyDist, half_width: null },
  ],
  causality: [{ source: 'ntp', node: 'w1', point: { violations: R(2, 10) }, interval: null }],
  ordering: [
    { source: 'bounded', pair: ['w1', 'w2'], point_vs_truth: { wrong: R(5, 5) } },
    {
      source: 'bounded',
      pair: null,
      point_vs_truth: { wrong: R(1, 8) },
      interval_vs_truth: { wrong: R(0, 8), wrong_by_worker: [{ node: 'w2', count: 0 }] },
    },
  ],
  windows: [
    {
      source: 'bounded',
      window_ms: 100,
      point: { agree: R(7, 8) },
      interval: { events: 8, confident_agree: R(6, 8), confident_conflict: R(0, 8), conflict_false: 0, conflict_false_by_worker: null },
    },
  ],
  bracketed: {
    pooled: { bounded: { interval: { provable_miss: R(1, 30) }, error: { provably_off: [{ x_ns: 1000000, count: R(0, 30) }] } } },
    by_worker: { w1: { bounded: { interval: { provable_miss: R(1, 15) }, error: { provably_off: [] } } } },
  },
};

const find = (rows: TidyRow[], source: string, metric: string, node: string) =>
  rows.filter((r) => r.source === source && r.metric === metric && r.node === node);

test('tidy rows: proportions keep count and total, ns values keep their value, pooled is node ""', () => {
  const rows = tidyRows(stats, { run_id: 'r1', run_dir: '/x/r1' });
  assert.ok(rows.every((r) => r.run_id === 'r1'));
  assert.deepEqual(find(rows, 'bounded', 'availability', ''), [
    { run_id: 'r1', source: 'bounded', metric: 'availability', node: '', count: 19, total: 20, value: null, unit: 'ratio' },
  ]);
  assert.equal(find(rows, 'bounded', 'availability', 'w1')[0]!.count, 9);
  assert.equal(rows.filter((r) => r.metric === 'availability').length, 2, 'the coordinator is not a worker row');
  assert.deepEqual(find(rows, 'bounded', 'coverage', '')[0], {
    run_id: 'r1',
    source: 'bounded',
    metric: 'coverage',
    node: '',
    count: 18,
    total: 19,
    value: null,
    unit: 'ratio',
  });
  assert.equal(find(rows, 'bounded', 'abs_point_error_p99', '')[0]!.value, 90000);
  assert.equal(find(rows, 'bounded', 'abs_point_error_p50', '')[0]!.unit, 'ns');
  assert.equal(find(rows, 'ntp', 'coverage', '').length, 0, 'a point source has no coverage row (not 0)');
  assert.equal(find(rows, 'ntp', 'abs_point_error_p50', '').length, 0, 'no error row from an empty distribution');
  assert.equal(find(rows, 'ntp', 'point_violations', 'w1')[0]!.count, 2);
  assert.equal(find(rows, 'ntp', 'interval_violations', 'w1').length, 0);
  assert.deepEqual(
    find(rows, 'bounded', 'wrong_orders_point', '').map((r) => [r.count, r.total]),
    [[1, 8]],
    'pooled pair only',
  );
  assert.deepEqual(
    find(rows, 'bounded', 'wrong_orders_interval', 'w2').map((r) => [r.count, r.total, r.unit]),
    [[0, null, 'count']],
  );
  assert.deepEqual(
    find(rows, 'bounded', 'window_point_agree.100ms', '').map((r) => [r.count, r.total]),
    [[7, 8]],
  );
  assert.deepEqual(
    find(rows, 'bounded', 'window_false_conflicts.100ms', '').map((r) => [r.count, r.total]),
    [[0, 8]],
  );
  assert.deepEqual(
    find(rows, 'bounded', 'bracketed_provable_miss', '').map((r) => [r.count, r.total]),
    [[1, 30]],
  );
  assert.deepEqual(
    find(rows, 'bounded', 'bracketed_provable_miss', 'w1').map((r) => [r.count, r.total]),
    [[1, 15]],
  );
  assert.deepEqual(
    find(rows, 'bounded', 'bracketed_provably_off.1000000ns', '').map((r) => [r.count, r.total]),
    [[0, 30]],
  );
});

test('tidy rows of an older stats.json: absent sections give no rows; garbage gives none', () => {
  const older = { schema_version: 1, readings: stats.readings, causality: stats.causality };
  const rows = tidyRows(older, { run_id: 'old', run_dir: '/x/old' });
  assert.deepEqual([...new Set(rows.map((r) => r.metric))].sort(), ['availability', 'point_violations']);
  assert.deepEqual(tidyRows(null, { run_id: 'x', run_dir: '/x' }), []);
  assert.deepEqual(tidyRows({ readings: 'nope', causality: [{ source: 3 }] }, { run_id: 'x', run_dir: '/x' }), []);
});
