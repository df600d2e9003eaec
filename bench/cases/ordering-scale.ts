// Ordering at scale: the same number of readings as W workers × N events, analysed in-process with
// per-pair ordering and with pooled-only ordering (docs/metrics.md §Ordering at scale), interleaved,
// CPU time of each pass; a 4-worker run of the same readings is the same-run baseline
// (docs/performance.md, "Pooled ordering at 64 workers").
//
//   node dist/bench/cases/ordering-scale.js [workers=64] [events=6000] [reps=2]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { generateSyntheticRun } from './analysis.js';

async function cpuOf(dir: string, orderingPairs: boolean): Promise<number> {
  const c0 = process.cpuUsage();
  await analyzeRun(dir, { orderingPairs, threads: false });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const [W = 64, E = 6000, reps = 2] = process.argv.slice(2).map(Number);
const root = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-ordering-'));
try {
  const runs = [
    { label: `${W} workers × ${E} events`, dir: path.join(root, 'wide'), workers: W, events: E },
    { label: `4 workers × ${(E * W) / 4} events`, dir: path.join(root, 'narrow'), workers: 4, events: (E * W) / 4 },
  ];
  for (const r of runs) await generateSyntheticRun(r.dir, { events: r.events, workers: r.workers, seed: 3 });
  for (const r of runs) await cpuOf(r.dir, false); // warm-up
  for (const r of runs) {
    const t = { pairs: [] as number[], pooled: [] as number[] };
    for (let i = 0; i < reps; i++) {
      t.pairs.push(await cpuOf(r.dir, true));
      t.pooled.push(await cpuOf(r.dir, false));
    }
    const min = (a: number[]) => Math.min(...a).toFixed(2);
    process.stdout.write(
      `${r.label} (${r.workers * r.events} readings): per-pair ${min(t.pairs)} s CPU, pooled ${min(t.pooled)} s CPU (min of ${reps})\n`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
