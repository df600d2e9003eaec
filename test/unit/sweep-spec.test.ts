// The sweep file is checked whole before anything runs: every problem listed with what was typed;
// cells are the matrix product × seeds with stable ids; a resumed sweep re-runs only what is unfinished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadSweepFile, planSweep, specSha256 } from '../../src/sweep/spec.js';
import { PACKAGE_ROOT } from '../../src/files/paths.js';
import { cellRunId, combinations, expandCells } from '../../src/sweep/matrix.js';
import { cellsForResume, pendingCells } from '../../src/sweep/resume.js';
import type { SweepCell, SweepManifest } from '../../src/files/sweep-manifest.js';
import { liveRunner } from '../../src/sweep/run.js';

const problemsOf = (yaml: string): string => {
  try {
    planSweep('/tmp/sweep.yaml', yaml);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('the sweep file was accepted');
};

test('a good sweep file: parameters in file order, combinations first key slowest, each cell scenario resolved', () => {
  const p = planSweep(
    '/tmp/sweep.yaml',
    [
      'scenario: lan',
      'seeds: {from: 3, count: 2}',
      'matrix:',
      '  servers.main.faults.request_delay: [0, 2]',
      '  rate: [50, 100]',
      'options: { duration_s: 5, workers: 1 }',
    ].join('\n'),
  );
  assert.deepEqual(p.parameters, ['servers.main.faults.request_delay', 'rate']);
  assert.deepEqual(p.seeds, [3, 4]);
  assert.deepEqual(
    p.combos.map((c) => [
      c.cell,
      c.scenario.servers['main']!.faults.request_delay,
      c.scenario.rate,
      c.scenario.duration_s,
      c.scenario.workers,
    ]),
    [
      ['c01', 0, 50, 5, 1],
      ['c02', 0, 100, 5, 1],
      ['c03', 2, 50, 5, 1],
      ['c04', 2, 100, 5, 1],
    ],
  );
  // Lowering workers drops the base scenario's per-worker entries instead of failing on them.
  assert.deepEqual(Object.keys(p.combos[0]!.scenario.per_worker), []);
});

test('every problem is listed at once, with the value typed and what to do', () => {
  const msg = problemsOf(
    [
      'scenario: lan',
      'seeds: [1, -2, 1]',
      'matrix:',
      '  servers.main.faults.request_dlay: [0, 2]',
      '  rate: 50',
      '  workers: []',
      '  seed: [1]',
      'options: { duration_s: -2 }',
      'extra: 1',
    ].join('\n'),
  );
  assert.match(msg, /nothing was run/);
  assert.match(msg, /extra: unknown key \(allowed: scenario, seeds, matrix, options\)/);
  assert.match(msg, /seeds: -2 is not a seed; write seeds: \[1, 2, 3\]/);
  assert.match(msg, /seeds: 1 listed twice/);
  assert.match(msg, /matrix\.rate: 50 is not a list; write \[50\] or move it to options/);
  assert.match(msg, /matrix\.workers: the list is empty/);
  assert.match(msg, /matrix\.seed: seeds are swept with the top-level "seeds:" list/);
  // Found by the scenario validator on the resolved cell scenario.
  assert.match(msg, /servers\.main\.faults\.request_dlay: unknown field \(allowed: delay, request_delay/);
  assert.match(msg, /duration_s: must be > 0, got -2/);
  // Reported once for the cells it concerns, not once per cell.
  assert.equal(msg.match(/request_dlay: unknown field/g)?.length, 1);
  assert.match(msg, /cells c01 \(servers\.main\.faults\.request_dlay=0\); c02/);
});

test('an unknown scenario, missing seeds, bad YAML and a value valid for one cell only', () => {
  assert.match(problemsOf('scenario: nosuch\nseeds: [1]'), /scenario: no scenario "nosuch": not a built-in \(.*lan.*\) and not a file/);
  assert.match(problemsOf('scenario: lan'), /seeds: missing; write seeds: \[1, 2, 3\]/);
  assert.match(problemsOf('scenario: lan\nseeds: {from: 1, count: 0}'), /seeds: \{"from":1,"count":0\}: from must be a whole number/);
  assert.match(problemsOf('scenario: lan\nseeds: [1]\nmatrix: {rate: [1, 1]}'), /matrix\.rate: \[1,1\] lists a value twice/);
  assert.match(problemsOf('scenario: [lan\n'), /not valid YAML/);
  const msg = problemsOf('scenario: lan\nseeds: [1]\nmatrix:\n  rate: [50, -1]');
  assert.match(msg, /cell c02 \(rate=-1\): its scenario is invalid.*\n\s+rate: must be > 0, got -1/);
  assert.doesNotMatch(msg, /c01/);
  assert.match(
    problemsOf('scenario: lan\nseeds: [1]\nmatrix: {servers.main.faults: [{}]}\noptions: {servers.main.faults.loss: 0.1}'),
    /inside servers\.main\.faults, which is also set/,
  );
  assert.match(problemsOf('scenario: lan\nseeds: [1]\noptions: {reference: nosuch}'), /reference "nosuch" is not among the cell's sources/);
  assert.match(problemsOf('scenario: lan\nseeds: [1]\noptions: {figure_size: a4, titles: no}'), /figure_size: "a4"; write single/);
  assert.match(
    problemsOf('scenario: lan\nseeds: [1]\nmatrix: {figure_size: [single, double]}\noptions: {titles: 1}'),
    /titles: 1; write true or false/,
  );
});

test('the spec hash ignores key order', () => {
  assert.equal(specSha256({ a: 1, b: { c: [1, 2], d: null } }), specSha256({ b: { d: null, c: [1, 2] }, a: 1 }));
  assert.notEqual(specSha256({ a: 1 }), specSha256({ a: 2 }));
});

test('matrix expansion: product × seeds, ids stable per combination, object values as JSON params', () => {
  const combos = combinations([
    ['a', [1, 2, 3]],
    ['b', [{ dist: 'constant', ms: 1 }, true]],
  ]);
  assert.deepEqual(
    combos.map((c) => c.cell),
    ['c01', 'c02', 'c03', 'c04', 'c05', 'c06'],
  );
  const cells = expandCells(combos, [7, 8]);
  assert.equal(cells.length, 12);
  assert.deepEqual(cells[0], {
    cell: 'c01',
    params: { a: 1, b: '{"dist":"constant","ms":1}' },
    seed: 7,
    run_id: null,
    run_dir: null,
    status: 'pending',
    exit_code: null,
  });
  assert.deepEqual([cells[1]!.cell, cells[1]!.seed, cells[3]!.params], ['c01', 8, { a: 1, b: true }]);
  assert.deepEqual(
    combinations([]).map((c) => [c.cell, c.values]),
    [['c01', {}]],
  );
  assert.equal(combinations([['x', Array.from({ length: 120 }, (_, i) => i)]])[0]!.cell, 'c001');
  assert.equal(cellRunId('S', cells[0]!), 'S-c01-s7');
  assert.equal(cellRunId('S', { ...cells[0]!, abandoned_run_dirs: ['/r/S-c01-s7'] }), 'S-c01-s7-r2');
});

test('resume: done cells stay, running and failed cells run again in a fresh dir with the old one noted', () => {
  const cell = (status: SweepCell['status'], i: number): SweepCell => ({
    cell: `c0${i}`,
    params: { rate: i },
    seed: 1,
    run_id: status === 'pending' ? null : `S-c0${i}-s1`,
    run_dir: status === 'pending' ? null : `/r/S-c0${i}-s1`,
    status,
    exit_code: status === 'done' ? 1 : status === 'failed' ? 7 : null,
  });
  const before = [cell('done', 1), cell('running', 2), cell('pending', 3), cell('failed', 4)];
  const after = cellsForResume(before);
  assert.deepEqual(after[0], before[0]);
  assert.deepEqual(after[1], {
    ...before[1],
    status: 'pending',
    run_id: null,
    run_dir: null,
    exit_code: null,
    abandoned_run_dirs: ['/r/S-c02-s1'],
  });
  assert.deepEqual(after[2], before[2]);
  assert.equal(after[3]!.status, 'pending');
  assert.deepEqual(after[3]!.abandoned_run_dirs, ['/r/S-c04-s1']);
  assert.deepEqual(pendingCells(after), [1, 2, 3]);
  assert.equal(cellRunId('S', after[1]!), 'S-c02-s1-r2');
  // The input is not changed (the manifest on disk is rewritten only by the runner).
  assert.equal(before[1]!.status, 'running');
});

test('the example sweep of docs/experiments.md is valid: 2 delays × 2 rates × 3 seeds', () => {
  const p = loadSweepFile(path.join(PACKAGE_ROOT, 'scenarios/sweeps/asymmetry.yaml'));
  assert.deepEqual([p.combos.length, p.seeds.length, p.parameters], [4, 3, ['servers.main.faults.request_delay', 'rate']]);
});

test('a second resume refuses while another live process runs the sweep, not after it died', async () => {
  const { spawnSync } = await import('node:child_process');
  const m = { runner_pid: process.ppid } as unknown as SweepManifest;
  assert.equal(liveRunner(m), process.ppid);
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  assert.equal(liveRunner({ runner_pid: Number(gone.stdout) } as unknown as SweepManifest), null);
  assert.equal(liveRunner({ runner_pid: process.pid } as unknown as SweepManifest), null);
  assert.equal(liveRunner({ runner_pid: null } as unknown as SweepManifest), null);
});
