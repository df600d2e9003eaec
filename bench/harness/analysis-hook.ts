import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIST } from './children.js';
import type { Row } from './table.js';

/**
 * Figure 5 uses the analysis engineer's bench/cases/analysis.ts: its generateSyntheticRun(dir, {events,
 * workers}) writes a synthetic run with the real column layout, and `node dist/bench/cases/analysis.js
 * --child DIR` runs analyzeRun on it in a fresh process and prints {"ms", "maxRssKiB"}. The
 * baseline is bench/baselines/scan-baseline.ts on the same files in a fresh process. If that module is
 * missing or changed its shape, figure 5 is printed as "not measured" with the reason.
 */
export interface AnalysisCase {
  events: number;
  workers: number;
  analyzeMs: number;
  peakRssMiB: number;
  baselineMs: number;
  baselinePeakRssMiB: number;
  generateMs: number;
  /** CPU time of the analysis process, all threads (ms), and per thread, main first. */
  cpuMs: number | null;
  threadsCpuMs: number[];
}

/** What a bench child prints; the analysis child adds per-thread CPU (main thread first). */
interface ChildResult {
  ms: number;
  maxRssKiB: number;
  cpuMs?: number;
  threadsCpuMs?: number[];
}

export interface AnalysisFigures {
  rows: Row[];
  notes: string[];
  baselineLabel: string;
  raw: unknown;
}

type Generate = (dir: string, o: { events: number; workers: number }) => Promise<void>;

const FULL = [
  { events: 100_000, workers: 4 },
  { events: 1_000_000, workers: 4 },
];
const QUICK = [
  { events: 10_000, workers: 4 },
  { events: 100_000, workers: 4 },
];

function rowsFor(size: { events: number; workers: number }, c: AnalysisCase | null, reason: string): Row[] {
  const label = `${size.events.toLocaleString('en-US')} ev × ${size.workers} workers`;
  const big = size.events >= 1_000_000;
  return [
    {
      id: '5',
      figure: `analysis time, ${label}`,
      value: c ? c.analyzeMs / 1000 : null,
      baseline: c ? c.baselineMs / 1000 : null,
      unit: 's',
      target: big ? '< 10 s' : '',
      met: c && big ? c.analyzeMs < 10_000 : null,
      ...(c ? {} : { note: reason }),
    },
    {
      id: '5',
      figure: `analysis peak RSS, ${label}`,
      value: c?.peakRssMiB ?? null,
      baseline: c?.baselinePeakRssMiB ?? null,
      unit: 'MiB',
      target: big ? '< 1024 MiB' : '',
      met: c && big ? c.peakRssMiB < 1024 : null,
    },
  ];
}

function child(script: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    c.on('error', reject);
    c.on('close', (code) => {
      if (code !== 0) {
        const why = err.split('\n').find((l) => /Error|error:/.test(l)) ?? err.trim().split('\n').pop() ?? '';
        reject(new Error(`${path.basename(script)} exited ${code}: ${why.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
      } catch (e) {
        reject(e);
      }
    });
  });
}

export async function runAnalysisHook(opts: { quick: boolean; root: string; log: (s: string) => void }): Promise<AnalysisFigures> {
  const sizes = opts.quick ? QUICK : FULL;
  const notMeasured = (reason: string): AnalysisFigures => {
    opts.log(`figure 5 not measured: ${reason}`);
    return {
      rows: sizes.flatMap((s) => rowsFor(s, null, reason)),
      notes: [`5: not measured — ${reason}.`],
      baselineLabel: 'none (not measured)',
      raw: { error: reason },
    };
  };
  let generate: Generate;
  try {
    const mod = (await import(new URL('../cases/analysis.js', import.meta.url).href)) as { generateSyntheticRun?: Generate };
    if (typeof mod.generateSyntheticRun !== 'function')
      return notMeasured('bench/cases/analysis.ts does not export generateSyntheticRun(dir, {events, workers})');
    generate = mod.generateSyntheticRun;
  } catch (e) {
    return notMeasured(`bench/cases/analysis.ts could not be loaded (${(e as Error).message.split('\n')[0]})`);
  }
  const cases: AnalysisCase[] = [];
  for (const s of sizes) {
    const dir = mkdtempSync(path.join(opts.root, 'analysis-'));
    try {
      opts.log(`  generating ${s.events} events × ${s.workers} workers`);
      const g0 = performance.now();
      await generate(dir, s);
      const generateMs = performance.now() - g0;
      const base = await child(path.join(BENCH_DIST, 'baselines/scan-baseline.js'), [dir]);
      const an = await child(path.join(BENCH_DIST, 'cases/analysis.js'), ['--child', dir]);
      opts.log(
        `  analysed in ${(an.ms / 1000).toFixed(1)} s, peak RSS ${(an.maxRssKiB / 1024).toFixed(0)} MiB (scan baseline ${(base.ms / 1000).toFixed(1)} s)`,
      );
      cases.push({
        ...s,
        analyzeMs: an.ms,
        cpuMs: an.cpuMs ?? null,
        threadsCpuMs: an.threadsCpuMs ?? [],
        peakRssMiB: an.maxRssKiB / 1024,
        baselineMs: base.ms,
        baselinePeakRssMiB: base.maxRssKiB / 1024,
        generateMs,
      });
    } catch (e) {
      opts.log(`  ${s.events} × ${s.workers}: ${(e as Error).message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (cases.length === 0) return notMeasured('every analysis case failed (see the log above)');
  return {
    rows: sizes.flatMap((s) => rowsFor(s, cases.find((c) => c.events === s.events && c.workers === s.workers) ?? null, 'case failed')),
    notes: [
      `5: synthetic runs from bench/cases/analysis.ts (system, ntp, bounded sources, truth columns); analyzeRun in a fresh process, time and peak RSS (getrusage maxRSS) of that process only.`,
      ...cases.map(
        (c) =>
          `   ${c.events.toLocaleString('en-US')} × ${c.workers}: CPU ${c.cpuMs === null ? '—' : `${(c.cpuMs / 1000).toFixed(2)} s`} in all threads` +
          (c.threadsCpuMs.length > 1
            ? ` (main ${(c.threadsCpuMs[0]! / 1000).toFixed(2)} s, others ${c.threadsCpuMs
                .slice(1)
                .map((v) => (v / 1000).toFixed(2))
                .join(' / ')} s)`
            : '') +
          ` for ${(c.analyzeMs / 1000).toFixed(2)} s wall`,
      ),
    ],
    baselineLabel: 'streaming every CSV of the same run once and splitting each line (bench/baselines/scan-baseline.ts, fresh process)',
    raw: cases,
  };
}
