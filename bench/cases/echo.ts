// What echo brackets cost (docs/performance.md, "Echo brackets"): run by path, outside `npm run bench`.
//   node dist/bench/cases/echo.js [--quick]
// 1. Worker CPU per 1,000 events with --echo on and off, runs interleaved (off, on, off, on, ...)
//    at 10,000 events/s to 1 worker, so that both see the same background load; the ratio on/off.
// 2. The highest zero-loss rate to 4 workers with echoes on (the rate case's ladder and judge).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChronoeval } from './chronoeval-run.js';
import { chronoevalStep, climbInterleaved } from './rate.js';
import { loadLine, machineLine } from '../harness/machine.js';

const quick = process.argv.includes('--quick');
const root = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-echo-'));
const started = Date.now();
const log = (s: string): void => {
  process.stderr.write(`[echo bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function cpuPer1000(echo: 'on' | 'off', count: number): Promise<number> {
  const out = await runChronoeval({ rate: 10_000, count, workers: 1, root, echo });
  const w = out.workers[0]!;
  if (w.cpuNs === null) throw new Error('worker CPU unreadable (/proc)');
  if (w.csvRows !== out.sent) log(`  echo ${echo}: ${out.sent - w.csvRows} of ${out.sent} events lost`);
  return (w.cpuNs / 1e6) * (1000 / w.csvRows);
}

async function main(): Promise<void> {
  log(`machine: ${machineLine()}; ${loadLine()}`);
  const pairs = quick ? 2 : 4;
  const count = quick ? 10_000 : 20_000;
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < pairs; i++) {
    off.push(await cpuPer1000('off', count));
    on.push(await cpuPer1000('on', count));
    log(`  pair ${i + 1}: worker CPU per 1,000 events off ${off[i]!.toFixed(1)} ms, on ${on[i]!.toFixed(1)} ms`);
  }
  const ratio = median(on) / median(off);
  log(`zero-loss rate to 4 workers with echoes on (1.5 s per step)`);
  const [rate] = await climbInterleaved(
    quick ? [5000, 10_000, 15_000] : [5000, 10_000, 15_000, 20_000, 25_000, 30_000],
    [{ name: 'chronoeval --echo on', step: (r, a) => chronoevalStep(r, a, quick ? 1 : 1.5, 4, root, 'on') }],
    started + 150_000,
    log,
  );
  const best = rate!.best;
  const lines = [
    `echo bench — ${new Date().toISOString()}; ${machineLine()}; ${loadLine()}`,
    `worker CPU per 1,000 events @ 10,000 ev/s, 1 worker, ${count} events, ${pairs} interleaved pairs (median): ` +
      `echo off ${median(off).toFixed(1)} ms, echo on ${median(on).toFixed(1)} ms, ratio ${ratio.toFixed(2)}× (target ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'NOT met'})`,
    `max zero-loss rate, 4 workers, echo on: ${best ? `${Math.round(best.achieved)} ev/s` : 'none'} (target ≥ 15,000: ${best && best.achieved >= 15_000 ? 'met' : 'NOT met'}); ` +
      `steps: ${rate!.steps.map((s) => `${s.rate / 1000}k→${(s.achieved / 1000).toFixed(1)}k${s.lossFree ? '✓' : '✗'}${s.lossFree ? '' : ` (${s.detail})`}`).join(' ')}; stopped: ${rate!.stoppedBy}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main()
  .catch((e: Error) => {
    process.stderr.write(`echo bench failed: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));
