// Analysis at scale: W workers × N events beside 4 workers × N·W/4 events, the same number of
// readings (generateSyntheticRun, 3 sources), each analysed in-process with its default ordering
// (pooled above 16 workers, per-pair below; docs/metrics.md §Ordering at scale), passes
// interleaved after one warm-up each, CPU time (user + system) of each pass. The 4-worker run is
// the same-run baseline; the target is the wide run within 1.5× of its CPU (docs/performance.md,
// "Analysis CPU at 64 workers"). `--pairs` also times per-pair ordering at W workers.
//
//   node dist/bench/cases/ordering-scale.js [workers=64] [events=6000] [reps=3] [--pairs] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeRun } from '../../analysis/analyze.js';
import { generateSyntheticRun } from './analysis.js';
import { loadLine } from '../harness/machine.js';

/** The wide run's CPU may be at most this many times the narrow run's. */
export const SCALE_TARGET = 1.5;

export interface ScalePasses {
  label: string;
  workers: number;
  events: number;
  /** CPU seconds of each measured pass, in order. */
  cpuS: number[];
}

export interface ScaleResult {
  wide: ScalePasses;
  narrow: ScalePasses;
  /** Per-pair ordering at the wide run's workers, when asked for. */
  widePairs: ScalePasses | null;
  /** Minimum wide pass over minimum narrow pass, and the same of the medians. */
  ratioOfMinima: number;
  ratioOfMedians: number;
  loadBefore: string;
  loadAfter: string;
}

async function cpuOf(dir: string, orderingPairs?: boolean): Promise<number> {
  const c0 = process.cpuUsage();
  await analyzeRun(dir, { threads: false, ...(orderingPairs === undefined ? {} : { orderingPairs }) });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Generate both runs under `root`, analyse them interleaved, remove them. */
export async function scaleCase(o: {
  workers: number;
  events: number;
  reps: number;
  pairs?: boolean;
  root?: string;
  log?: (s: string) => void;
}): Promise<ScaleResult> {
  const { workers: W, events: E, reps } = o;
  if (!(Number.isInteger((E * W) / 4) && W > 4)) throw new Error(`ordering-scale: ${W} × ${E} is not 4 × an integer number of events`);
  const root = mkdtempSync(path.join(o.root ?? os.tmpdir(), 'chronoeval-scale-'));
  const n = (v: number) => v.toLocaleString('en-US');
  try {
    const wide: ScalePasses = { label: `${W} workers × ${n(E)} events`, workers: W, events: E, cpuS: [] };
    const narrow: ScalePasses = { label: `4 workers × ${n((E * W) / 4)} events`, workers: 4, events: (E * W) / 4, cpuS: [] };
    const widePairs: ScalePasses | null = o.pairs ? { ...wide, label: `${wide.label}, per-pair ordering`, cpuS: [] } : null;
    const dirOf = (r: ScalePasses) => path.join(root, `${r.workers}w`);
    for (const r of [wide, narrow]) {
      o.log?.(`  generating ${r.label}`);
      await generateSyntheticRun(dirOf(r), { events: r.events, workers: r.workers, seed: 3 });
    }
    const loadBefore = loadLine();
    await cpuOf(dirOf(wide)); // warm-up
    await cpuOf(dirOf(narrow));
    for (let i = 0; i < reps; i++) {
      wide.cpuS.push(await cpuOf(dirOf(wide)));
      narrow.cpuS.push(await cpuOf(dirOf(narrow)));
      if (widePairs) widePairs.cpuS.push(await cpuOf(dirOf(wide), true));
      o.log?.(`  pass ${i + 1}/${reps}: ${wide.cpuS.at(-1)!.toFixed(2)} s and ${narrow.cpuS.at(-1)!.toFixed(2)} s CPU`);
    }
    return {
      wide,
      narrow,
      widePairs,
      ratioOfMinima: Math.min(...wide.cpuS) / Math.min(...narrow.cpuS),
      ratioOfMedians: median(wide.cpuS) / median(narrow.cpuS),
      loadBefore,
      loadAfter: loadLine(),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The lines the case prints: each run's passes, then the ratio against the target. */
export function describeScale(r: ScaleResult): string[] {
  const line = (p: ScalePasses) =>
    `${p.label} (${(p.workers * p.events).toLocaleString('en-US')} readings): min ${Math.min(...p.cpuS).toFixed(2)} s, median ${median(p.cpuS).toFixed(2)} s CPU (${p.cpuS.map((c) => c.toFixed(2)).join(', ')})`;
  const met = r.ratioOfMinima <= SCALE_TARGET;
  return [
    line(r.wide),
    line(r.narrow),
    ...(r.widePairs ? [line(r.widePairs)] : []),
    `${r.wide.workers}-worker / 4-worker analysis CPU: ${r.ratioOfMinima.toFixed(2)}× (minima), ${r.ratioOfMedians.toFixed(2)}× (medians); target ≤ ${SCALE_TARGET}×: ${met ? 'met' : 'NOT met'}`,
    `load: before ${r.loadBefore}; after ${r.loadAfter}`,
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const [W = 64, E = 6000, reps = 3] = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const r = await scaleCase({ workers: W, events: E, reps, pairs: args.includes('--pairs'), log: (s) => process.stderr.write(`${s}\n`) });
  process.stdout.write(args.includes('--json') ? JSON.stringify(r) + '\n' : describeScale(r).join('\n') + '\n');
}
