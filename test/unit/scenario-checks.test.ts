import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateChecks,
  checksExitCode,
  formatCheckResults,
  parseThreshold,
  selectStats,
  parseStatsPath,
  loadScenario,
} from '../../src/scenario/index.js';
import type { CheckSpec } from '../../src/scenario/index.js';

const dist = (p50: number, p99: number, max: number) => ({ unit: 'ns', n: 100, p50, p99, max, min: 0 });
/** A fragment shaped like analysis/stats/types.ts Stats (only the fields the checks read). */
const stats = {
  bound_quality: [
    {
      source: 'bounded',
      role: 'worker',
      node: null,
      coverage: { count: 999, total: 1000, share: 0.999 },
      abs_point_error: dist(1e5, 3e5, 4e5),
    },
    { source: 'bounded', role: 'worker', node: 'w1', coverage: { count: 500, total: 500, share: 1 }, abs_point_error: dist(1e5, 3e5, 4e5) },
    {
      source: 'bounded',
      role: 'worker',
      node: 'w2',
      coverage: { count: 499, total: 500, share: 0.998 },
      abs_point_error: dist(1e5, 3e5, 4e5),
    },
    { source: 'ntp', role: 'worker', node: null, coverage: null, abs_point_error: dist(2e5, 9e5, 2e6) },
    { source: 'ntp', role: 'worker', node: 'w3', coverage: null, abs_point_error: dist(3e7, 3.1e7, 3.2e7) },
  ],
  sync: [
    { node: 'w1', source: 'ntp', offset: dist(0, 1e5, 2e5) },
    { node: 'w2', source: 'ntp', offset: { ...dist(0, 1e5, 2e5), min: -2.5e7 } },
  ],
  ordering: [
    { source: 'bounded', pair: null, interval_vs_truth: { compared: 10, wrong: { count: 0, total: 10, share: 0 } } },
    { source: 'ntp', pair: null, interval_vs_truth: null },
  ],
  delivery: {
    workers: [
      { node: 'w1', lost_ratio: { count: 0, total: 100, share: 0 } },
      { node: 'w2', lost_ratio: { count: 0, total: 0, share: null } },
    ],
  },
};

const check = (path: string, op: CheckSpec['op'], threshold: number | string): CheckSpec => ({ name: path, path, op, threshold });

test('path selection: filters, null, wildcards, several matches', () => {
  assert.deepEqual(selectStats(stats, parseStatsPath('bound_quality[source=bounded,node=null].coverage.share')), [0.999]);
  // '*' is every non-null value: node=* is each worker, the pooled entry (node null) excluded
  assert.deepEqual(selectStats(stats, parseStatsPath('bound_quality[source=bounded,node=*].coverage.share')), [1, 0.998]);
  assert.deepEqual(selectStats(stats, parseStatsPath('bound_quality[source=bounded].coverage.share')), [0.999, 1, 0.998]);
  assert.deepEqual(selectStats(stats, parseStatsPath('sync[*].offset.min')), [0, -2.5e7]);
  assert.deepEqual(selectStats(stats, parseStatsPath('bound_quality[source=chrony].coverage.share')), []);
  assert.deepEqual(selectStats(stats, parseStatsPath('*.workers[node=w1].lost_ratio.share')), [0]);
});

test('verdicts: pass, fail, unknown; worst case over several matches', () => {
  const r = evaluateChecks(
    {
      checks: [
        check('bound_quality[source=bounded,role=worker,node=null].coverage.share', '>=', '99.9%'),
        check('bound_quality[source=bounded,role=worker,node=*].coverage.share', '>=', '99.9%'),
        check('bound_quality[source=ntp,role=worker,node=null].abs_point_error.p99', '<=', '1ms'),
        check('bound_quality[source=ntp,role=worker,node=w3].abs_point_error.p50', '>=', '20ms'),
        check('sync[node=w2,source=ntp].offset.min', '<=', '-20ms'),
        check('ordering[source=bounded,pair=null].interval_vs_truth.wrong.count', '<=', 0),
        check('ordering[source=ntp,pair=null].interval_vs_truth.wrong.count', '<=', 0),
        check('bound_quality[source=chrony,node=null].coverage.share', '>=', 0.999),
        check('delivery.workers[node=w2].lost_ratio.share', '<=', 0.01),
      ],
    },
    stats,
  );
  assert.deepEqual(
    r.map((x) => x.verdict),
    ['pass', 'fail', 'pass', 'pass', 'pass', 'pass', 'unknown', 'unknown', 'unknown'],
  );
  assert.equal(r[1]!.measured, 0.998, 'worst of three for >=');
  assert.equal(r[1]!.matched, 2);
  assert.equal(r[1]!.worst_at, 'node=w2', 'the worst worker is named');
  assert.equal(r[0]!.worst_at, null, 'one match: nothing to name');
  assert.equal(r[2]!.threshold, 1e6);
  assert.match(r[6]!.detail, /interval_vs_truth is null in stats.json/);
  assert.match(r[7]!.detail, /matched nothing/);
  const lines = formatCheckResults(r);
  assert.match(lines[1]!, /^FAIL +.*measured 99\.8 % at node=w2 >= 99\.9 %/);
  assert.match(lines[2]!, /^PASS +.*measured 900 µs <= 1 ms/);
});

test('exit code rule: 0 all pass, 1 any fail, 4 unknown and no fail', () => {
  assert.equal(checksExitCode([]), 0);
  assert.equal(checksExitCode([{ verdict: 'pass' }, { verdict: 'pass' }]), 0);
  assert.equal(checksExitCode([{ verdict: 'pass' }, { verdict: 'unknown' }]), 4);
  assert.equal(checksExitCode([{ verdict: 'unknown' }, { verdict: 'fail' }]), 1);
});

test('thresholds with units', () => {
  assert.equal(parseThreshold('2ms'), 2e6);
  assert.equal(parseThreshold('150us'), 150e3);
  assert.equal(parseThreshold('-20ms'), -2e7);
  assert.equal(parseThreshold('1.5s'), 1.5e9);
  assert.equal(parseThreshold('99.9%'), 0.999);
  assert.equal(parseThreshold(3), 3);
  assert.throws(() => parseThreshold('3 furlongs'), /cannot read/);
});

test('an empty stats object makes every built-in check unknown, never pass', () => {
  const s = loadScenario('lan').scenario;
  const r = evaluateChecks(s, {});
  assert.ok(r.length > 0 && r.every((x) => x.verdict === 'unknown'));
  assert.equal(checksExitCode(r), 4);
});
