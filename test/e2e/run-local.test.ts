// The main job, shortened: `chronoeval run-local` starts real processes, analyses, renders the
// report and judges the scenario's checks; its exit code is the checks' verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../support/helpers.js';

test('run-local: demo scenario end to end, with report, checks and realised faults', { timeout: 180_000 }, async () => {
  const dir = tmpDir();
  const results = path.join(dir, 'results');
  const r = await runCli(['run-local', '--duration-s', '6', '--results-dir', results, '--logs-dir', path.join(dir, 'logs')], {
    timeoutMs: 170_000,
  });
  const runs = readdirSync(results);
  assert.equal(runs.length, 1, r.stderr);
  const runDir = path.join(results, runs[0]!);
  for (const f of [
    'manifest.json',
    'coordinator.csv',
    'workers/w1.csv',
    'workers/w3.csv',
    'sync/w2.csv',
    'commit_wait/w1.csv',
    'stats.json',
    'figures-data.json',
    'checks.json',
    'report.html',
    'figures/dashboard.png',
    'figures/causality-timeline.png',
    'figures/clock-offsets.png',
  ]) {
    assert.ok(existsSync(path.join(runDir, f)), `${f} exists\n${r.stderr.slice(-3000)}`);
  }
  const checks = JSON.parse(readFileSync(path.join(runDir, 'checks.json'), 'utf8')) as {
    exit_code: number;
    results: { verdict: string }[];
  };
  assert.equal(r.code, checks.exit_code, "run-local exits with the checks' verdict");
  assert.ok(checks.results.length >= 1);
  assert.match(r.stdout, /Checks of scenario "demo"/);
  const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.scenario.name, 'demo');
  assert.equal(typeof manifest.scenario.seed, 'number');
  assert.ok(manifest.ended_utc.endsWith('Z'));
  assert.ok(manifest.realised_faults.workers.w2, 'realised clock faults of w2 recorded');
  assert.equal(manifest.hosts.filter((h: { role: string }) => h.role === 'worker').length, 3);
  const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8'));
  assert.deepEqual(stats.truth, { send: true, recv: true });
});

test('run-local: an unknown scenario is a one-line error before anything starts', async () => {
  const dir = tmpDir();
  const r = await runCli([
    'run-local',
    '--scenario',
    'no-such-scenario',
    '--results-dir',
    path.join(dir, 'r'),
    '--logs-dir',
    path.join(dir, 'l'),
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.split('\n')[0]!, /^chronoeval: .*no-such-scenario/);
  assert.equal(existsSync(path.join(dir, 'r')), false, 'no results directory was created');
});
