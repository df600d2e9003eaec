import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repeatOverSeeds, resolveScenario } from '../../src/scenario/index.js';

const scenario = resolveScenario([{
  name: 'rep', checks: [
    { name: 'coverage', path: 'bq.coverage', op: '>=', threshold: '99.9%' },
    { name: 'err', path: 'bq.p99', op: '<=', threshold: '1ms' },
  ],
}]);

test('repeat: worst case per check and the failing seeds to replay', async () => {
  const seen: number[] = [];
  const report = await repeatOverSeeds({
    scenario, k: 5, firstSeed: 10,
    runOne: async (seed) => {
      seen.push(seed);
      if (seed === 13) return { bq: { coverage: null, p99: 5e5 } };
      return { bq: { coverage: seed === 12 ? 0.99 : 1, p99: seed * 1e4 } };
    },
  });
  assert.deepEqual(seen, [10, 11, 12, 13, 14]);
  assert.deepEqual(report.seeds, [10, 11, 12, 13, 14]);
  const cov = report.checks[0]!;
  assert.equal(cov.worst, 0.99);
  assert.equal(cov.worstSeed, 12);
  assert.deepEqual(cov.failingSeeds, [12]);
  assert.deepEqual(cov.unknownSeeds, [13]);
  assert.deepEqual(cov.verdicts, { pass: 3, fail: 1, unknown: 1 });
  const err = report.checks[1]!;
  assert.equal(err.worst, 5e5);
  assert.equal(err.worstSeed, 13);
  assert.deepEqual(err.failingSeeds, []);
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.replay, ['chronoeval run-local --scenario rep --seed 12', 'chronoeval run-local --scenario rep --seed 13']);
});

test('repeat: a crashed run is unknown (exit 2), not a pass', async () => {
  const report = await repeatOverSeeds({
    scenario, k: 2,
    runOne: async (seed) => { if (seed === 2) throw new Error('worker w2 died'); return { bq: { coverage: 1, p99: 1 } }; },
  });
  assert.equal(report.runs[1]!.error, 'worker w2 died');
  assert.ok(report.runs[1]!.results.every((r) => r.verdict === 'unknown' && /worker w2 died/.test(r.detail)));
  assert.equal(report.exitCode, 2);
  await assert.rejects(repeatOverSeeds({ scenario, k: 0, runOne: async () => ({}) }), /--repeat must be an integer ≥ 1/);
});
