// Multicast against unicast to 16 workers: the highest zero-loss rate of each, climbed rung by
// rung interleaved (same background load). Multicast on loopback needs lo's multicast flag and a
// route, which this case never sets on the machine: run as root, it re-runs itself inside a
// network namespace it creates (lo up, multicast on, 224.0.0.0/4 → lo) and deletes after.
// Prints one JSON line: { unicast: RateSearch, multicast: RateSearch, seconds, workers,
// coordinatorCpuMsPer1000: { unicast, multicast } } or { skipped }.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chronoevalStep, climbInterleaved } from './rate.js';
import { runChronoeval } from './chronoeval-run.js';

const WORKERS = 16;
const INSIDE = 'CHRONOEVAL_BENCH_MCAST_NS';

function inside(): void {
  const quick = process.argv.includes('--quick');
  const seconds = quick ? 1 : 1.5;
  const root = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-mcast-'));
  const group = { address: '239.77.0.1', port: 47399, family: 4 as const };
  const ladder = quick ? [1000, 2000, 5000] : [1000, 2000, 3000, 5000, 7500, 10_000, 15_000, 20_000];
  const deadline = Date.now() + (quick ? 45_000 : 120_000);
  climbInterleaved(
    ladder,
    [
      { name: 'unicast', step: (r, a) => chronoevalStep(r, a, seconds, WORKERS, root, 'off') },
      {
        name: 'multicast',
        step: (r, a) => chronoevalStep(r, a, seconds, WORKERS, root, 'off', { group, ttl: 1, iface: '127.0.0.1' }),
      },
    ],
    deadline,
    (s) => process.stderr.write(s + '\n'),
  )
    .then(async ([unicast, multicast]) => {
      // The sender's own cost, which multicast divides by the workers: the coordinator's CPU per
      // 1,000 events at 1,000 ev/s (it runs in this process), one run each, interleaved.
      const n = quick ? 1000 : 3000;
      const cpu: Record<string, number> = {};
      for (const [name, m] of [
        ['unicast', undefined],
        ['multicast', { group, ttl: 1, iface: '127.0.0.1' }],
      ] as const) {
        const r = await runChronoeval({ rate: 1000, count: n, workers: WORKERS, root, echo: 'off', ...(m ? { multicast: m } : {}) });
        cpu[name] = r.coordinatorCpuNs / 1e6 / (r.sent / 1000);
        process.stderr.write(`  ${name} 1000/s: coordinator CPU ${cpu[name]!.toFixed(1)} ms per 1,000 events\n`);
      }
      process.stdout.write(JSON.stringify({ unicast, multicast, seconds, workers: WORKERS, coordinatorCpuMsPer1000: cpu }) + '\n');
    })
    .finally(() => rmSync(root, { recursive: true, force: true }))
    .catch((e: Error) => {
      process.stderr.write(`multicast case: ${e.message}\n`);
      process.exitCode = 1;
    });
}

function outside(): void {
  if (process.getuid?.() !== 0) {
    process.stdout.write(JSON.stringify({ skipped: 'needs root to build a network namespace with multicast on lo' }) + '\n');
    return;
  }
  const ns = 'cebm' + randomBytes(3).toString('hex');
  const ip = (a: string[]): void => {
    const r = spawnSync('ip', a, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${a.join(' ')}: ${r.stderr.trim()}`);
  };
  try {
    ip(['netns', 'add', ns]);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'multicast', 'on']);
    ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      env: { ...process.env, [INSIDE]: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) process.stdout.write(JSON.stringify({ skipped: `the case exited ${r.status ?? r.signal}` }) + '\n');
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

if (process.env[INSIDE] === '1') inside();
else outside();
