// Bad configuration through the real CLI: the process exits 2 with one clear error that names the
// flag and echoes the value, before it opens a socket (never prints "listening") or creates a
// file. Cases the CLI does not meet yet are marked `todo` with the gap (docs/reliability.md);
// src/cli/config-validation.ts already rejects every one of them (test/unit/hostile-config.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli, startCli, tmpDir } from '../support/helpers.js';
import { readJson, writeKey } from '../support/reliability.js';
import { workerSummaryOf } from '../support/worker-summary.js';

interface Case {
  name: string;
  args: string[];
  expect: RegExp;
  gap?: string;
}
const W = ['worker', '--run-id', 'cfg', '--node', 'a', '--insecure', '--bind', '127.0.0.1'];
const C = ['coordinator', '--run-id', 'cfg', '--insecure', '--sources', 'system', '--workers', '127.0.0.1:9'];
const cases: Case[] = [
  {
    name: 'worker --port 70000 (would bind 70000 − 65536)',
    args: [...W, '--sources', 'system', '--port', '70000'],
    expect: /--port.*70000/,
  },
  { name: 'worker --port -1', args: [...W, '--sources', 'system', '--port', '-1'], expect: /--port.*-1/ },
  {
    name: 'worker --bind 999.1.1.1',
    args: [...W.slice(0, -2), '--sources', 'system', '--bind', '999.1.1.1'],
    expect: /--bind.*999\.1\.1\.1/,
  },
  {
    name: 'worker --ntp-server port out of range',
    args: [...W, '--sources', 'system,ntp', '--ntp-server', '127.0.0.1:99999'],
    expect: /ntp.server.*127\.0\.0\.1:99999/,
  },
  { name: 'worker ntp source without --ntp-server', args: [...W, '--sources', 'system,ntp'], expect: /--ntp-server/ },
  { name: 'worker --poll-ms 0', args: [...W, '--sources', 'system', '--poll-ms', '0'], expect: /--poll-ms.*0/ },
  {
    name: 'worker --poll-ms 1e12 (setInterval would fire every 1 ms)',
    args: [...W, '--sources', 'system', '--poll-ms', '1e12'],
    expect: /--poll-ms/,
  },
  { name: 'worker --warmup-max-s -3', args: [...W, '--sources', 'system', '--warmup-max-s', '-3'], expect: /--warmup-max-s.*-3/ },
  { name: 'worker unknown source', args: [...W, '--sources', 'system,sundial'], expect: /sundial/ },
  {
    name: 'worker --node ../etc',
    args: [...W.slice(0, 3), '--node', '../etc', '--insecure', '--sources', 'system'],
    expect: /--node.*\.\.\/etc/,
  },
  { name: 'coordinator --count 1.5', args: [...C, '--count', '1.5'], expect: /--count.*1\.5/ },
  { name: 'coordinator --rate 0', args: [...C, '--rate', '0', '--count', '1'], expect: /--rate.*0/ },
  { name: 'coordinator --pattern a,b', args: [...C, '--pattern', 'a,b', '--count', '1'], expect: /--pattern/ },
  { name: 'coordinator --schedule sometimes', args: [...C, '--schedule', 'sometimes', '--count', '1'], expect: /schedule.*sometimes/ },
  {
    name: 'coordinator --schedule poisson --pattern 5,50',
    args: [...C, '--schedule', 'poisson', '--pattern', '5,50', '--count', '1'],
    expect: /--schedule "poisson": poisson draws its own gaps/,
  },
  { name: 'coordinator --schedule-seed -1', args: [...C, '--schedule-seed', '-1', '--count', '1'], expect: /--schedule-seed -1/ },
  { name: 'coordinator worker port 0', args: [...C.slice(0, -1), '127.0.0.1:0', '--count', '1'], expect: /127\.0\.0\.1:0/ },
  { name: 'coordinator --end-timeout-s -1', args: [...C, '--end-timeout-s', '-1', '--count', '1'], expect: /--end-timeout-s.*-1/ },
  { name: 'ntp-server --port 70000', args: ['ntp-server', '--bind', '127.0.0.1', '--port', '70000'], expect: /--port.*70000/ },
];

// Concurrent: most cases exit at once; an accepted bad value is only seen by the 8 s timeout.
describe('bad configuration through the CLI', { concurrency: 4 }, () => {
  for (const c of cases) {
    test(`bad configuration refused before any socket or file: ${c.name}`, c.gap ? { todo: c.gap } : {}, async () => {
      const dir = tmpDir('chronoeval-cfg-');
      const results = path.join(dir, 'results');
      const logs = path.join(dir, 'logs');
      let r: Awaited<ReturnType<typeof runCli>>;
      try {
        r = await runCli([...c.args, '--results-dir', results, '--logs-dir', logs], { timeoutMs: 8000 });
      } catch (e) {
        assert.fail(`still running after 8 s: the bad value was accepted (${(e as Error).message.split('\n')[0]})`);
      }
      assert.equal(r.code, 2, `exit code 2; stderr: ${r.stderr}`);
      assert.match(r.stderr.split('\n')[0]!, /^chronoeval: /);
      assert.match(r.stderr, c.expect, 'names the flag and the value');
      assert.doesNotMatch(r.stdout, /"event":"listening"/, 'never opened its socket');
      const files = [results, logs]
        .filter(existsSync)
        .flatMap((d) => readdirSync(d, { recursive: true }) as string[])
        .filter((f) => /\.(csv|jsonl|json)$/.test(f));
      assert.deepEqual(files, [], 'created no result or log file');
    });
  }
});

test("a hand-run --insecure coordinator and worker record in the run's files that the run was unauthenticated", async () => {
  const dir = tmpDir('chronoeval-cfg-');
  const common = [
    '--run-id',
    'T-insecure',
    '--results-dir',
    path.join(dir, 'results'),
    '--logs-dir',
    path.join(dir, 'logs'),
    '--insecure',
    '--sources',
    'system',
  ];
  const w = await startCli(['worker', ...common, '--node', 'w', '--bind', '127.0.0.1', '--port', '0']);
  const c = await runCli(
    [
      'coordinator',
      ...common,
      '--workers',
      `127.0.0.1:${w.port}`,
      '--count',
      '3',
      '--rate',
      '50',
      '--schedule',
      'poisson',
      '--schedule-seed',
      '17',
    ],
    { timeoutMs: 30_000 },
  );
  assert.equal(c.code, 0, c.stderr);
  const runDir = path.join(dir, 'results', 'T-insecure');
  const summary = workerSummaryOf(path.join(runDir, 'workers', 'w.summary.json'));
  assert.equal(summary.authenticated, false, 'worker summary says the run was unauthenticated');
  assert.ok(existsSync(path.join(runDir, 'manifest.json')), 'a manifest exists for a hand-run run');
  const m = readJson<{ security?: { authenticated?: boolean } }>(path.join(runDir, 'manifest.json'));
  assert.equal(m.security?.authenticated, false);
  // the hand-run manifest and the summary line record the schedule (enough to regenerate it)
  const schedule = { kind: 'poisson', seed: 17, rate: 50, pattern_ms: null, count: 3, duration_s: null, uniform_phases: true };
  assert.deepEqual((m as { schedule?: unknown }).schedule, schedule);
  const line = c.stdout.split('\n').find((l) => l.includes('"event":"summary"'));
  assert.deepEqual((JSON.parse(line!) as { schedule?: unknown }).schedule, schedule);
});

test('--insecure together with a key file is refused by the CLI, not silently resolved either way', async () => {
  const dir = tmpDir('chronoeval-cfg-');
  const { keyFile } = writeKey(dir);
  const r = await runCli(
    [
      'worker',
      '--run-id',
      'k',
      '--node',
      'a',
      '--sources',
      'system',
      '--key-file',
      keyFile,
      '--insecure',
      '--results-dir',
      path.join(dir, 'r'),
      '--logs-dir',
      path.join(dir, 'l'),
    ],
    { timeoutMs: 6000 },
  ).catch((e: Error) => ({ code: -1, stderr: e.message, stdout: '', signal: null }));
  assert.equal(r.code, 2, '--insecure together with a key is refused, not silently resolved');
  assert.match(r.stderr, /--insecure.*conflicts with --key-file/);
});
