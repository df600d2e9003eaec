// A stop signal to run-local stops every process of the run first — the coordinator, which ends
// its workers — so nothing is left running, the data recorded so far is analysed, and the exit
// status says which signal (128 + n).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, tmpDir } from '../support/helpers.js';
import { workerSummaryOf } from '../support/worker-summary.js';

/** Pids of processes whose command line names this run's results directory. */
function processesOf(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes(' ps '))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/**
 * run-local of a 3-worker, 60 s scenario whose only source needs no warmup (the stop path is the
 * same for every source), its stderr gathered.
 */
function startStopRun(opts: { detached?: boolean } = {}): {
  child: ChildProcess;
  results: string;
  err: () => string;
  exited: Promise<number | null>;
} {
  const dir = tmpDir();
  const results = path.join(dir, 'results');
  const scenario = path.join(dir, 'stop.json');
  writeFileSync(
    scenario,
    JSON.stringify({ name: 'stop', workers: 3, rate: 50, duration_s: 60, warmup_max_s: 2, sources: ['system'], checks: [] }),
  );
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'run-local', '--scenario', scenario, '--no-figures', '--results-dir', results, '--logs-dir', path.join(dir, 'logs')],
    // detached: its own process group, to be signalled whole
    { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  return { child, results, err: () => err, exited };
}

for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  test(`run-local stopped by ${sig}: every child stopped, what was recorded analysed, exit ${code}`, { timeout: 90_000 }, async () => {
    const { child, results, err, exited } = startStopRun();
    const t0 = Date.now();
    while (!/sending \d+ events/.test(err())) {
      assert.ok(Date.now() - t0 < 60_000, `the coordinator never started sending:\n${err()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    const running = processesOf(results);
    assert.ok(running.length >= 5, `run-local, three workers and the coordinator run (${running.length})`);
    child.kill(sig);
    const exitCode = await exited;
    assert.equal(exitCode, code, err().slice(-2000));
    // The children were told to stop before run-local exited; allow the last of them a moment.
    const until = Date.now() + 5000;
    while (processesOf(results).length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processesOf(results), [], 'no process of the run is left');
    const runs = readdirSync(results);
    assert.equal(runs.length, 1);
    assert.ok(existsSync(path.join(results, runs[0]!, 'stats.json')), 'the data recorded so far was analysed');
    // The coordinator was stopped first and ended the workers: each wrote its summary and every
    // event sent was received (none counted as lost because a worker died first).
    const sent =
      readFileSync(path.join(results, runs[0]!, 'coordinator.csv'), 'utf8')
        .trim()
        .split('\n').length - 1;
    for (const w of ['w1', 'w2', 'w3']) {
      const summary = workerSummaryOf(path.join(results, runs[0]!, 'workers', `${w}.summary.json`));
      assert.deepEqual(
        [summary.ended_by, summary.recorded],
        ['end', sent],
        `${w} was ended by the coordinator and received every event sent`,
      );
    }
  });
}

test('run-local stopped by Ctrl-C while its processes start: exit 130 (the signal), not a failure', { timeout: 60_000 }, async () => {
  const dir = tmpDir();
  const results = path.join(dir, 'results');
  const scenario = path.join(dir, 'start.json');
  writeFileSync(
    scenario,
    JSON.stringify({ name: 'start', workers: 3, rate: 50, duration_s: 30, warmup_max_s: 2, sources: ['system', 'ntp'], checks: [] }),
  );
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'run-local', '--scenario', scenario, '--no-figures', '--results-dir', results, '--logs-dir', path.join(dir, 'logs')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  let sent = false;
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    // The first line names the run; the SNTP server and the workers are being started then.
    if (!sent && /\[run-local\] run /.test(err)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  child.stdout!.resume();
  const exitCode = await exited;
  assert.ok(sent, `run-local never said it started:\n${err}`);
  assert.equal(exitCode, 130, err.slice(-2000));
  const until = Date.now() + 5000;
  while (processesOf(results).length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(processesOf(results), [], 'no process of the run is left');
});

test(
  'a stop signal that reaches the children before run-local (a process-group kill, Slurm scancel) is the stop: exit 143, not a failure',
  { timeout: 90_000 },
  async () => {
    const { child, results, err, exited } = startStopRun();
    // The workers are started but not yet listening: the children get the signal first, as when a
    // whole process group is signalled and run-local's copy is delivered a little later.
    const t0 = Date.now();
    let kids: number[] = [];
    while (kids.length < 2) {
      assert.ok(Date.now() - t0 < 30_000, `the workers never started:\n${err()}`);
      kids = processesOf(results).filter((p) => p !== child.pid);
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const p of kids) process.kill(p, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    assert.equal(await exited, 143, err().slice(-2000));
    const until = Date.now() + 5000;
    while (processesOf(results).length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processesOf(results), [], 'no process of the run is left');
  },
);

test(
  'a process-group stop signal that reaches the coordinator while it loads (nothing recorded yet): exit 143 and what was stopped, not a failure',
  { timeout: 90_000 },
  async () => {
    // Its own process group, signalled whole, as Slurm's scancel signals every process of a job.
    const { child, results, err, exited } = startStopRun({ detached: true });
    // The coordinator is started once the workers listen; it takes a few hundred ms to load.
    const t0 = Date.now();
    const coordinatorUp = (): boolean =>
      execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
        .split('\n')
        .some((l) => l.includes(results) && / coordinator /.test(l));
    while (!coordinatorUp()) {
      assert.ok(Date.now() - t0 < 30_000, `the coordinator never started:\n${err()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    process.kill(-child.pid!, 'SIGTERM');
    const code = await exited;
    const runs = existsSync(results) ? readdirSync(results) : [];
    const recorded = runs.length === 1 && existsSync(path.join(results, runs[0]!, 'coordinator.csv'));
    console.log(`# the coordinator had ${recorded ? 'already' : 'not yet'} created coordinator.csv when the signal came`);
    assert.equal(code, 143, err().slice(-2000));
    if (!recorded) assert.match(err(), /run stopped by SIGTERM before anything could be analysed/);
    const until = Date.now() + 5000;
    while (processesOf(results).length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processesOf(results), [], 'no process of the run is left');
  },
);
