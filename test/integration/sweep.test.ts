// A sweep runs its cells one after another, can be stopped and resumed without re-running a
// finished cell, and each run can be re-made from its manifest with `rerun`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, runCli, tmpDir } from '../support/helpers.js';
import { readSweepManifest, type SweepManifest } from '../../src/files/sweep-manifest.js';

// One worker, no NTP source to warm up, two seconds of events: the stop/resume path is the same for any scenario.
const SPEC = `scenario: lan
seeds: [5]
matrix:
  rate: [20, 40]
options: { sources: [system], workers: 1, duration_s: 2, warmup_max_s: 2, checks: [] }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function onlySweep(sweeps: string): string {
  const ids = existsSync(sweeps) ? readdirSync(sweeps) : [];
  assert.ok(ids.length <= 1, `one sweep directory (${ids.join(', ')})`);
  return ids.length ? path.join(sweeps, ids[0]!) : '';
}

test(
  'sweep stopped by SIGTERM after its first cell, then resumed: the finished cell is kept, every cell ends done; rerun re-makes a run',
  { timeout: 180_000 },
  async () => {
    const dir = tmpDir();
    const specFile = path.join(dir, 'sweep.yaml');
    writeFileSync(specFile, SPEC);
    const sweeps = path.join(dir, 'sweeps');
    const common = ['--sweeps-dir', sweeps, '--results-dir', path.join(dir, 'results'), '--logs-dir', path.join(dir, 'logs')];

    const child = spawn(process.execPath, [CLI_PATH, 'sweep', specFile, ...common], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    // Stop once the first cell is done and the second has started.
    let m: SweepManifest | null;
    const t0 = Date.now();
    for (;;) {
      assert.ok(Date.now() - t0 < 90_000, `the first cell never finished:\n${out}`);
      const sweepDir = onlySweep(sweeps);
      m = sweepDir ? readSweepManifest(sweepDir).manifest : null;
      if (m?.cells[0]?.status === 'done' && m.cells[1]?.status === 'running') break;
      await sleep(100);
    }
    await sleep(1500);
    child.kill('SIGTERM');
    assert.equal(await exited, 143, out);
    const sweepDir = onlySweep(sweeps);
    const stopped = readSweepManifest(sweepDir).manifest!;
    assert.match(out, /\[1\/2\] c01 seed 5 rate=20 → .* done exit 0 .*about \d+ s left/);
    const first = stopped.cells[0]!;
    const partial = m.cells[1]!.run_dir!;
    assert.equal(first.status, 'done');
    assert.deepEqual(
      { ...stopped.cells[1], abandoned_run_dirs: stopped.cells[1]!.abandoned_run_dirs },
      {
        cell: 'c02',
        params: { rate: 40 },
        seed: 5,
        run_id: null,
        run_dir: null,
        status: 'pending',
        exit_code: null,
        abandoned_run_dirs: [partial],
      },
    );
    assert.equal(stopped['runner_pid'], null, 'a stopped sweep no longer claims the directory');
    assert.ok(stopped.provenance.git_commit === null || /^[0-9a-f]{40}$/.test(stopped.provenance.git_commit));
    const firstManifest = readFileSync(path.join(first.run_dir!, 'manifest.json'), 'utf8');
    const firstStats = readFileSync(path.join(first.run_dir!, 'stats.json'), 'utf8');

    const resumed = await runCli(['sweep', specFile, '--resume', sweepDir, ...common], { timeoutMs: 90_000 });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.doesNotMatch(resumed.stdout, /c01 seed/, 'the finished cell is not run again');
    assert.match(resumed.stdout, /\[2\/2\] c02 seed 5 rate=40 → .*-c02-s5-r2 done exit 0/);
    const end = readSweepManifest(sweepDir).manifest!;
    assert.deepEqual(
      end.cells.map((c) => c.status),
      ['done', 'done'],
    );
    assert.deepEqual(end.cells[0], first, 'the finished cell is unchanged');
    assert.equal(readFileSync(path.join(first.run_dir!, 'manifest.json'), 'utf8'), firstManifest);
    assert.equal(readFileSync(path.join(first.run_dir!, 'stats.json'), 'utf8'), firstStats);
    assert.ok(existsSync(partial), 'the partial run dir is kept');
    assert.notEqual(end.cells[1]!.run_dir, partial);
    assert.equal((end['resumed'] as unknown[]).length, 1);

    // It ends with compare over both cells: the summary names the swept parameter, the page exists.
    const cmp = path.join(sweepDir, 'compare');
    assert.match(resumed.stdout, /sweep: compared 2 run\(s\)/);
    const summary = readFileSync(path.join(cmp, 'summary.csv'), 'utf8').split('\n');
    assert.ok(summary[0]!.split(',').includes('param.rate'), summary[0]);
    assert.ok(existsSync(path.join(cmp, 'compare.html')) && existsSync(path.join(cmp, 'cells.csv')));

    // Each cell's run manifest records provenance and the cell's resolved scenario.
    const runManifest = JSON.parse(readFileSync(path.join(end.cells[1]!.run_dir!, 'manifest.json'), 'utf8')) as {
      scenario: { seed: number; resolved: { rate: number; sources: string[] } };
      provenance: { lockfile_sha256: string | null; command: string[] };
    };
    assert.equal(runManifest.scenario.seed, 5);
    assert.equal(runManifest.scenario.resolved.rate, 40);
    assert.match(runManifest.provenance.lockfile_sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.ok(runManifest.provenance.command.includes('run-local'));

    // rerun: a new run dir, the same resolved scenario and seed.
    const rerun = await runCli(['rerun', first.run_dir!, '--logs-dir', path.join(dir, 'logs')], { timeoutMs: 60_000 });
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    const newDir = /→ (\S+)/.exec(rerun.stdout)?.[1];
    assert.ok(newDir && newDir !== first.run_dir && path.dirname(newDir) === path.dirname(first.run_dir!), rerun.stdout);
    const a = JSON.parse(firstManifest) as { scenario: { seed: number; resolved: Record<string, unknown> } };
    const b = JSON.parse(readFileSync(path.join(newDir, 'manifest.json'), 'utf8')) as {
      scenario: { seed: number; resolved: Record<string, unknown> };
      rerun_of: string;
    };
    const { extends: _e, ...resolvedA } = a.scenario.resolved;
    assert.deepEqual(b.scenario.resolved, resolvedA);
    assert.equal(b.scenario.seed, a.scenario.seed);
    assert.equal(b.rerun_of, first.run_dir);
    assert.ok(existsSync(path.join(newDir, 'stats.json')));
  },
);

test('a bad sweep file: every problem listed, exit 2, nothing written', async () => {
  const dir = tmpDir();
  const specFile = path.join(dir, 'bad.yaml');
  writeFileSync(specFile, 'scenario: lan\nseeds: []\nmatrix:\n  servers.main.faults.request_dlay: [0, 2]\n');
  const sweeps = path.join(dir, 'sweeps');
  const r = await runCli([
    'sweep',
    specFile,
    '--sweeps-dir',
    sweeps,
    '--results-dir',
    path.join(dir, 'results'),
    '--logs-dir',
    path.join(dir, 'logs'),
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /2 problems, nothing was run/);
  assert.match(r.stderr, /seeds: the list is empty/);
  assert.match(r.stderr, /request_dlay: unknown field/);
  assert.deepEqual(readdirSync(dir), ['bad.yaml']);
});
