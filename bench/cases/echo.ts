// What echo brackets cost (docs/performance.md, "Echo brackets"): run by path, outside `npm run bench`.
//   node dist/bench/cases/echo.js [--quick]
// 1. Worker CPU per 1,000 events with --echo on and off, runs interleaved (off, on, off, on, ...)
//    at 10,000 events/s to 1 worker, so that both see the same background load; the ratio on/off.
//    The coordinator's CPU per 1,000 events (it runs in this process) is measured beside it.
// 2. The highest zero-loss rate to 4 workers with echoes on, and off as the baseline, climbed
//    interleaved rung by rung (the rate case's ladder and judge).
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

async function cpuPer1000(echo: 'on' | 'off', count: number): Promise<{ worker: number; coordinator: number }> {
  const out = await runChronoeval({ rate: 10_000, count, workers: 1, root, echo });
  const w = out.workers[0]!;
  if (w.cpuNs === null) throw new Error('worker CPU unreadable (/proc)');
  if (w.csvRows !== out.sent) log(`  echo ${echo}: ${out.sent - w.csvRows} of ${out.sent} events lost`);
  return { worker: (w.cpuNs / 1e6) * (1000 / w.csvRows), coordinator: (out.coordinatorCpuNs / 1e6) * (1000 / out.sent) };
}

async function main(): Promise<void> {
  log(`machine: ${machineLine()}; ${loadLine()}`);
  const pairs = quick ? 2 : 4;
  const count = quick ? 10_000 : 20_000;
  const on: number[] = [];
  const off: number[] = [];
  const coordOn: number[] = [];
  const coordOff: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const a = await cpuPer1000('off', count);
    const b = await cpuPer1000('on', count);
    off.push(a.worker);
    on.push(b.worker);
    coordOff.push(a.coordinator);
    coordOn.push(b.coordinator);
    log(
      `  pair ${i + 1}: CPU per 1,000 events: worker off ${a.worker.toFixed(1)} ms, on ${b.worker.toFixed(1)} ms; ` +
        `coordinator off ${a.coordinator.toFixed(1)} ms, on ${b.coordinator.toFixed(1)} ms`,
    );
  }
  const ratio = median(on) / median(off);
  log(`zero-loss rate to 4 workers, echoes on and off interleaved (1.5 s per step)`);
  const [rate, rateOff] = await climbInterleaved(
    quick ? [5000, 10_000, 15_000] : [5000, 10_000, 15_000, 20_000, 25_000, 30_000],
    [
      { name: 'chronoeval --echo on', step: (r, a) => chronoevalStep(r, a, quick ? 1 : 1.5, 4, root, 'on') },
      { name: 'chronoeval --echo off', step: (r, a) => chronoevalStep(r, a, quick ? 1 : 1.5, 4, root, 'off') },
    ],
    started + 200_000,
    log,
  );
  const best = rate!.best;
  const steps = (r: typeof rate): string =>
    `${r!.steps.map((s) => `${s.rate / 1000}k→${(s.achieved / 1000).toFixed(1)}k${s.lossFree ? '✓' : '✗'}${s.lossFree ? '' : ` (${s.detail})`}`).join(' ')}; stopped: ${r!.stoppedBy}`;
  const lines = [
    `echo bench — ${new Date().toISOString()}; ${machineLine()}; ${loadLine()}`,
    `worker CPU per 1,000 events @ 10,000 ev/s, 1 worker, ${count} events, ${pairs} interleaved pairs (median): ` +
      `echo off ${median(off).toFixed(1)} ms, echo on ${median(on).toFixed(1)} ms, ratio ${ratio.toFixed(2)}× (target ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'NOT met'}); ` +
      `coordinator CPU per 1,000 events off ${median(coordOff).toFixed(1)} ms, on ${median(coordOn).toFixed(1)} ms (${(median(coordOn) / median(coordOff)).toFixed(2)}×)`,
    `max zero-loss rate, 4 workers, echo on: ${best ? `${Math.round(best.achieved)} ev/s` : 'none'} (target ≥ 15,000: ${best && best.achieved >= 15_000 ? 'met' : 'NOT met'}); steps: ${steps(rate)}`,
    `max zero-loss rate, 4 workers, echo off (baseline, same ladder interleaved): ${rateOff!.best ? `${Math.round(rateOff!.best.achieved)} ev/s` : 'none'}; steps: ${steps(rateOff)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main()
  .catch((e: Error) => {
    process.stderr.write(`echo bench failed: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));
