// Cells: runs with equal parameters except the seed are one cell; parameters come from a sweep
// or from the manifests (only those that differ); pooled Wilson across seeds, none for one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenParams, groupCells, manifestParams } from '../../analysis/compare/cells.js';
import { cellStats } from '../../analysis/compare/cell-stats.js';
import type { LoadedRun } from '../../analysis/compare/load-runs.js';
import type { TidyRow } from '../../analysis/compare/tidy-rows.js';
import { wilson } from '../../analysis/compare/intervals.js';
import { estimateText } from '../../analysis/compare/page.js';

function run(dir: string, rate: number, seed: number, kind = 'local'): LoadedRun {
  const manifest = {
    run_id: dir,
    kind,
    started_utc: `2026-01-01T00:00:0${seed}Z`,
    config: { rate, workers: 2 },
    scenario: { seed, resolved: { name: 'demo', seed, rate, workers: 2, servers: { main: { faults: { request_delay: rate / 10 } } } } },
  };
  return { run_dir: dir, run_id: dir, kind, seed, stats: {}, manifest, missing: [] };
}

test('manifest parameters: nested names dotted, seeds and times left out', () => {
  const p = manifestParams(run('/a', 50, 1).manifest);
  assert.equal(p['rate'], 50);
  assert.equal(p['servers.main.faults.request_delay'], 5);
  assert.equal(p['kind'], 'local');
  assert.ok(!('seed' in p) && !('started_utc' in p));
  assert.deepEqual(flattenParams({ a: [1, 2], b: { seed: 3, c: null } }), { a: '[1,2]', 'b.c': null });
});

test('plain runs: cells by the parameters that differ; the seed does not split a cell', () => {
  const runs = [run('/a', 50, 1), run('/b', 50, 2), run('/c', 500, 1)];
  const { names, cells } = groupCells(runs);
  assert.deepEqual(names, ['rate', 'servers.main.faults.request_delay']);
  assert.deepEqual(
    cells.map((c) => [c.id, c.runs.map((r) => r.run_dir)]),
    [
      ['rate=50, servers.main.faults.request_delay=5', ['/a', '/b']],
      ['rate=500, servers.main.faults.request_delay=50', ['/c']],
    ],
  );
  const same = groupCells([run('/a', 50, 1), run('/b', 50, 2)]);
  assert.deepEqual(same.names, []);
  assert.equal(same.cells[0]!.id, 'all');
  const kinds = groupCells([run('/a', 50, 1), run('/d', 50, 1, 'deploy')]);
  assert.deepEqual(kinds.names, ['kind'], 'a deploy run differs from a local one by its kind only');
});

test('a sweep names the parameters; a legacy run without manifest joins with nulls', () => {
  const runs = [run('/a', 50, 1), { ...run('/l', 0, 0), manifest: null, kind: null, seed: null }];
  const given = new Map([['/a', { rate: 50 }]]);
  const { names, cells } = groupCells(runs, given);
  assert.deepEqual(names, ['rate']);
  assert.deepEqual(
    cells.map((c) => c.params),
    [{ rate: 50 }, { rate: null }],
  );
  const derived = groupCells(runs);
  assert.deepEqual(derived.names, [], 'unknown parameters do not make every name vary');
  assert.deepEqual(
    derived.cells.map((c) => [c.id, c.runs.length]),
    [
      ['all', 1],
      ['all (no manifest: parameters unknown)', 1],
    ],
    'nor is the legacy run pooled with a known condition',
  );
});

test('cell statistics: counts pooled over seeds with a Wilson interval; one run: no interval; values: mean and t', () => {
  const runs = [run('/a', 50, 1), run('/b', 50, 2), run('/c', 500, 1)];
  const row = (runId: string, count: number, total: number): TidyRow => ({
    run_id: runId,
    source: 'bounded',
    metric: 'coverage',
    node: '',
    count,
    total,
    value: null,
    unit: 'ratio',
  });
  const val = (runId: string, v: number): TidyRow => ({
    run_id: runId,
    source: 'ntp',
    metric: 'abs_point_error_p99',
    node: '',
    count: null,
    total: null,
    value: v,
    unit: 'ns',
  });
  const rows = new Map<string, TidyRow[]>([
    ['/a', [row('/a', 9, 10), val('/a', 100)]],
    ['/b', [row('/b', 10, 10), val('/b', 300)]],
    ['/c', [row('/c', 0, 0), { ...row('/c', 1, 4), metric: 'point_violations' }]],
  ]);
  const { cells } = groupCells(runs);
  const s = cellStats(cells, rows);
  const cov = s.find((x) => x.cell.startsWith('rate=50,') && x.metric === 'coverage')!;
  assert.deepEqual([cov.n, cov.count, cov.total, cov.estimate, cov.method], [2, 19, 20, 0.95, 'wilson']);
  const w = wilson(19, 20)!;
  assert.deepEqual([cov.ci_lo, cov.ci_hi], [w.lo, w.hi]);
  assert.deepEqual([cov.seed_min, cov.seed_max, cov.seed_mean], [0.9, 1, 0.95]);
  const err = s.find((x) => x.cell.startsWith('rate=50,') && x.metric === 'abs_point_error_p99')!;
  assert.equal(err.estimate, 200);
  assert.equal(err.method, 't');
  assert.ok(err.ci_lo! < 200 && err.ci_hi! > 200);
  const lone = s.find((x) => x.cell.startsWith('rate=500') && x.metric === 'coverage')!;
  assert.deepEqual([lone.n, lone.n_missing, lone.estimate, lone.ci_lo, lone.ci_hi], [0, 1, null, null, null], 'total 0: no estimate, no 0');
  const one = s.find((x) => x.cell.startsWith('rate=500') && x.metric === 'point_violations')!;
  assert.deepEqual([one.n, one.estimate, one.ci_lo, one.ci_hi], [1, 0.25, null, null], 'one run: the estimate, no interval');
  assert.equal(s.filter((x) => x.cell.startsWith('rate=500')).length, 2, 'a metric the cell never had is no row');
});

test('the worst worker is named beside a pooled number: lowest coverage, most violations', async () => {
  const { worstWorkers, worstKey } = await import('../../analysis/compare/worst-worker.js');
  const runs = [run('/a', 50, 1)];
  const r = (metric: string, node: string, count: number, total: number): TidyRow => ({
    run_id: '/a',
    source: 'bounded',
    metric,
    node,
    count,
    total,
    value: null,
    unit: 'ratio',
  });
  const rows = new Map([
    [
      '/a',
      [
        r('coverage', '', 190, 200),
        r('coverage', 'w1', 100, 100),
        r('coverage', 'w2', 90, 100),
        r('interval_violations', 'w1', 3, 100),
        r('interval_violations', 'w2', 1, 100),
      ],
    ],
  ]);
  const s = cellStats(groupCells(runs).cells, rows);
  const worst = worstWorkers(s);
  assert.equal(worst.get(worstKey({ cell: 'all', source: 'bounded', metric: 'coverage' }))!.node, 'w2');
  assert.equal(worst.get(worstKey({ cell: 'all', source: 'bounded', metric: 'interval_violations' }))!.node, 'w1');
});

test('estimate text: a share in %, ns in ms, a worker count as a count per run (never a bare decimal beside a %)', () => {
  assert.equal(estimateText({ unit: 'ratio', estimate: 0.5, ci_lo: 0.25, ci_hi: 0.75 }), '50.00 % [25.00 %, 75.00 %]');
  assert.equal(estimateText({ unit: 'ns', estimate: 1_500_000, ci_lo: null, ci_hi: null }), '1.500 ms');
  assert.equal(estimateText({ unit: 'count', estimate: 0, ci_lo: 0, ci_hi: 0 }), '0 [0, 0] per run');
  assert.equal(estimateText({ unit: 'count', estimate: 2.5, ci_lo: 1.25, ci_hi: 3.75 }), '2.500 [1.250, 3.750] per run');
});
