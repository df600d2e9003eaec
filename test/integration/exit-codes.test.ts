// Every command returns the exit code the table (src/cli/exit-codes.ts, README "Exit codes")
// gives for each situation: checked on the built CLI, as a shell or a scheduler sees it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, runCli, startCli, tmpDir } from '../support/helpers.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const COMMANDS = ['run-local', 'worker', 'coordinator', 'ntp-server', 'analyze', 'deploy'] as const;
const RUN = 'exit-codes-run';

/** Directories every role writes to, inside one temp dir. */
function dirs(dir: string): string[] {
  return ['--results-dir', path.join(dir, 'results'), '--logs-dir', path.join(dir, 'logs')];
}

for (const cmd of COMMANDS) {
  test(`${cmd}: an unknown flag is bad usage (exit ${EXIT.usage})`, async () => {
    const required: Record<string, string[]> = {
      worker: ['--node', 'w1'],
      coordinator: ['--workers', '127.0.0.1:9'],
      analyze: ['x'],
      deploy: ['x'],
    };
    const r = await runCli([cmd, ...(required[cmd] ?? []), '--bogus-flag', '1'], { timeoutMs: 30_000 });
    assert.equal(r.code, EXIT.usage, r.stderr);
    assert.match(r.stderr, /Unknown arguments?: .*bogus-flag/);
  });
}

test(`analyze of a missing directory, or of one that is not a run, is bad input (exit ${EXIT.usage})`, async () => {
  const dir = tmpDir();
  const missing = await runCli(['analyze', path.join(dir, 'nope')], { timeoutMs: 30_000 });
  assert.equal(missing.code, EXIT.usage, missing.stderr);
  assert.match(missing.stderr, /does not exist/);
  const empty = await runCli(['analyze', dir], { timeoutMs: 30_000 });
  assert.equal(empty.code, EXIT.usage, empty.stderr);
  assert.match(empty.stderr, /coordinator\.csv missing/);
});

test(`deploy of an invalid inventory is bad input (exit ${EXIT.usage}), every problem named`, async () => {
  const dir = tmpDir();
  const inv = path.join(dir, 'inv.json');
  writeFileSync(inv, JSON.stringify({ coordinator: { name: 'c', host: 'h1', port: 'x' }, workers: [{ name: 'w1', host: '$(id)' }] }));
  const r = await runCli(['deploy', inv, '--dry-run'], { timeoutMs: 30_000 });
  assert.equal(r.code, EXIT.usage, r.stderr);
  assert.match(r.stderr, /coordinator\.port: must be an integer/);
  assert.match(r.stderr, /workers\[0\]\.host: .*not a valid host name/);
});

test(`coordinator whose workers never answer ready: not ready (exit ${EXIT.notReady})`, { timeout: 30_000 }, async () => {
  const dir = tmpDir();
  const r = await runCli(
    [
      'coordinator',
      '--run-id',
      RUN,
      '--workers',
      '127.0.0.1:9',
      '--sources',
      'system',
      '--insecure',
      '--ready-timeout-s',
      '1',
      '--end-timeout-s',
      '1',
      ...dirs(dir),
    ],
    { timeoutMs: 25_000 },
  );
  assert.equal(r.code, EXIT.notReady, r.stderr);
  assert.match(r.stderr, /workers not ready after 1 s/);
});

test(`worker: Ctrl-C (SIGINT) ends it cleanly with ${EXIT.interrupted}`, { timeout: 30_000 }, async () => {
  const dir = tmpDir();
  const w = await startCli([
    'worker',
    '--run-id',
    RUN,
    '--node',
    'w1',
    '--bind',
    '127.0.0.1',
    '--port',
    '0',
    '--sources',
    'system',
    '--insecure',
    ...dirs(dir),
  ]);
  const code = new Promise<number | null>((res) => w.child.on('exit', (c) => res(c)));
  w.child.kill('SIGINT');
  assert.equal(await code, EXIT.interrupted, w.stderr());
});

test(`coordinator: Ctrl-C while waiting for workers stops it with ${EXIT.interrupted}`, { timeout: 30_000 }, async () => {
  const dir = tmpDir();
  const child = spawn(
    process.execPath,
    [
      CLI_PATH,
      'coordinator',
      '--run-id',
      RUN,
      '--workers',
      '127.0.0.1:9',
      '--sources',
      'system',
      '--insecure',
      '--ready-timeout-s',
      '60',
      ...dirs(dir),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const r = await stopWhen(child, /waiting for 1 workers to be ready/, 'SIGINT');
  assert.equal(r.code, EXIT.interrupted, r.stderr);
  assert.ok(r.ms < 10_000, `stopped promptly, not after the ready timeout (${r.ms} ms)`);
});

test(`ntp-server: Ctrl-C ${EXIT.interrupted}, SIGTERM ${EXIT.terminated}, SIGHUP ${EXIT.hangup}`, { timeout: 30_000 }, async () => {
  const dir = tmpDir();
  for (const [sig, want] of [
    ['SIGINT', EXIT.interrupted],
    ['SIGTERM', EXIT.terminated],
    ['SIGHUP', EXIT.hangup],
  ] as const) {
    const s = await startCli(['ntp-server', '--bind', '127.0.0.1', '--port', '0', '--logs-dir', path.join(dir, 'logs')]);
    const code = new Promise<number | null>((res) => s.child.on('exit', (c) => res(c)));
    s.child.kill(sig);
    assert.equal(await code, want, `${sig}: ${s.stderr()}`);
  }
});

test(`analyze: Ctrl-C during a long read exits ${EXIT.interrupted}`, { timeout: 30_000 }, async () => {
  // coordinator.csv is a FIFO fed a row every 100 ms for ever: the analysis never finishes reading.
  const dir = tmpDir();
  mkdirSync(path.join(dir, 'workers'));
  const fifo = path.join(dir, 'coordinator.csv');
  execFileSync('mkfifo', [fifo]);
  const feeder = spawn(
    'sh',
    ['-c', 'exec >"$1"; echo run_id,seq,event_id,send_local_ns; while :; do echo r,1,1,1000; sleep 0.1; done', 'feed', fifo],
    { stdio: 'ignore' },
  );
  try {
    const child = spawn(process.execPath, [CLI_PATH, 'analyze', dir, '--no-figures'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await stopAfter(child, 1500, 'SIGINT');
    assert.equal(r.code, EXIT.interrupted, r.stderr);
  } finally {
    feeder.kill('SIGKILL');
  }
});

interface Stopped {
  code: number | null;
  stderr: string;
  ms: number;
}

/** Send `sig` once stderr matches `ready`; the exit code and how long the stop took. */
function stopWhen(child: ReturnType<typeof spawn>, ready: RegExp, sig: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve) => {
    let err = '';
    let sentAt = 0;
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sentAt && ready.test(err)) {
        sentAt = Date.now();
        child.kill(sig);
      }
    });
    child.on('exit', (code) => resolve({ code, stderr: err, ms: Date.now() - sentAt }));
  });
}

function stopAfter(child: ReturnType<typeof spawn>, ms: number, sig: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve) => {
    let err = '';
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const sentAt = Date.now() + ms;
    setTimeout(() => child.kill(sig), ms);
    child.on('exit', (code) => resolve({ code, stderr: err, ms: Date.now() - sentAt }));
  });
}
