// 64 workers on loopback: run-local starts them at once (one start deadline for all), the
// coordinator's ready barrier and end handshake broadcast to all, and at a modest rate every
// worker receives every event. The analysis pools ordering over the 2016 pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, tmpDir } from '../support/helpers.js';
import { workerSummaryOf } from '../support/worker-summary.js';

test(
  'run-local with 64 workers at 50 events/s: all start, every worker records every event, ordering pooled',
  { timeout: 180_000 },
  async () => {
    const dir = tmpDir();
    const results = path.join(dir, 'results');
    const scenario = path.join(dir, 'w64.json');
    const count = 150;
    writeFileSync(
      scenario,
      JSON.stringify({ name: 'w64', workers: 64, rate: 50, count, warmup_max_s: 5, commit_wait_s: [1], sources: ['system'], checks: [] }),
    );
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      [CLI_PATH, 'run-local', '--scenario', scenario, '--no-figures', '--results-dir', results, '--logs-dir', path.join(dir, 'logs')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    process.stderr.write(`[64 workers] run-local ${Date.now() - t0} ms\n`);
    const own = err.split('\n').filter((l) => !l.startsWith('[worker-'));
    assert.equal(code, 0, own.join('\n').slice(-3000));
    for (const l of own) assert.ok(l.length < 600, `a log line stays readable with 64 workers (${l.length} chars): ${l.slice(0, 200)}…`);
    const run = path.join(results, readdirSync(results)[0]!);
    const sent = readFileSync(path.join(run, 'coordinator.csv'), 'utf8').trim().split('\n').length - 1;
    assert.equal(sent, count);
    const workers = readdirSync(path.join(run, 'workers')).filter((f) => f.endsWith('.summary.json'));
    assert.equal(workers.length, 64);
    const short = workers.filter((f) => workerSummaryOf(path.join(run, 'workers', f)).recorded !== count);
    assert.deepEqual(short, [], 'every worker recorded every event (zero loss)');
    assert.match(out + err, /ordering: pooled over all 2016 worker pairs/);
  },
);
