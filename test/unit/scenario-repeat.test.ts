import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repeatOverSeeds, resolveScenario } from '../../src/scenario/index.js';
import { replayArgs, replayScenarioArg } from '../../src/scenario/repeat.js';

const scenario = resolveScenario([
  {
    name: 'rep',
    checks: [
      { name: 'coverage', path: 'bq.coverage', op: '>=', threshold: '99.9%' },
      { name: 'err', path: 'bq.p99', op: '<=', threshold: '1ms' },
    ],
  },
]);

test('repeat: worst case per check and the failing seeds to replay', async () => {
  const seen: number[] = [];
  const report = await repeatOverSeeds({
    scenario,
    k: 5,
    firstSeed: 10,
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

test('repeat: a crashed run is unknown (exit 4), not a pass', async () => {
  const report = await repeatOverSeeds({
    scenario,
    k: 2,
    runOne: async (seed) => {
      if (seed === 2) throw new Error('worker w2 died');
      return { bq: { coverage: 1, p99: 1 } };
    },
  });
  assert.equal(report.runs[1]!.error, 'worker w2 died');
  assert.ok(report.runs[1]!.results.every((r) => r.verdict === 'unknown' && /worker w2 died/.test(r.detail)));
  assert.equal(report.exitCode, 4);
  await assert.rejects(repeatOverSeeds({ scenario, k: 0, runOne: async () => ({}) }), /--repeat must be an integer ≥ 1/);
});

test('repeat: a scenario given as a file is replayed from that file, with the flags typed', async () => {
  // `chronoeval run-local --scenario ./my dir/x.json --repeat 3 --workers 2 --seed 10`: the file's
  // scenario name ("rep") is no built-in, so a replay must name the file.
  const file = '/home/u/my dir/x.json';
  const typed = ['--scenario', './my dir/x.json', '--repeat', '3', '--workers', '2', '--seed=10', '--run-id', 'r1', '--no-figures'];
  const args = replayArgs(typed, replayScenarioArg('./my dir/x.json', file));
  assert.deepEqual(args, ['--scenario', file, '--workers', '2', '--no-figures']);
  const report = await repeatOverSeeds({
    scenario,
    k: 1,
    firstSeed: 12,
    replayArgs: args,
    runOne: async () => ({ bq: { coverage: 0.5, p99: 1 } }),
  });
  assert.deepEqual(report.replay, ["chronoeval run-local --scenario '/home/u/my dir/x.json' --workers 2 --no-figures --seed 12"]);
});

test('repeat: a built-in scenario is replayed by its name, wherever it was typed from', () => {
  const dir = '/opt/chronoeval/scenarios';
  assert.equal(replayScenarioArg('lan', `${dir}/lan.json`, dir), 'lan');
  assert.equal(replayScenarioArg('scenarios/lan.json', `${dir}/lan.json`, dir), 'lan');
  assert.equal(replayScenarioArg('/tmp/lan.json', '/tmp/lan.json', dir), '/tmp/lan.json');
});
