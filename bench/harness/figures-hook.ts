import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIST } from './children.js';
import type { Row } from './table.js';

/**
 * Optional figure 6: every figure plus report.html for a synthetic run, from the figures
 * engineer's bench/cases/figures.ts (benchFigures). Its baseline is bench/baselines/scan-baseline.ts over the same
 * run directory. Missing module, failure or no time left: printed as "not measured" with why.
 */
export interface FiguresFigures { rows: Row[]; notes: string[]; raw: unknown }

interface FiguresResult { total?: { wallMs: number; cpuMs?: number }; totalMs?: number; peakRssMb: number; runDir: string | null; events: number; workers: number }
type BenchFigures = (o: { events?: number; workers?: number; keep?: boolean; log?: (s: string) => void }) => Promise<FiguresResult>;

function scan(dir: string): Promise<{ ms: number; maxRssKiB: number }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [path.join(BENCH_DIST, 'baselines/scan-baseline.js'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as { ms: number; maxRssKiB: number }) : reject(new Error(`scan-baseline exited ${code}`))));
  });
}

export async function runFiguresHook(opts: { events: number; workers: number; skipReason: string | null; log: (s: string) => void }): Promise<FiguresFigures> {
  const label = `figures + report, ${opts.events.toLocaleString('en-US')} ev × ${opts.workers} workers`;
  const none = (why: string): FiguresFigures => {
    opts.log(`figure 6 not measured: ${why}`);
    return { rows: [{ id: '6', figure: label, value: null, baseline: null, unit: 's', target: '', met: null, note: why }], notes: [`6: not measured — ${why}.`], raw: { error: why } };
  };
  if (opts.skipReason) return none(opts.skipReason);
  let bench: BenchFigures;
  try {
    const mod = await import(new URL('../cases/figures.js', import.meta.url).href) as { benchFigures?: BenchFigures };
    if (typeof mod.benchFigures !== 'function') return none('bench/cases/figures.ts does not export benchFigures()');
    bench = mod.benchFigures;
  } catch (e) {
    return none(`bench/cases/figures.ts could not be loaded (${(e as Error).message.split('\n')[0]})`);
  }
  let r: FiguresResult;
  try {
    r = await bench({ events: opts.events, workers: opts.workers, keep: true, log: () => {} });
  } catch (e) {
    return none(`benchFigures failed: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    // Wall time of renderFiguresAndReport (older versions of benchFigures called it totalMs).
    const wallMs = r.total?.wallMs ?? r.totalMs;
    if (typeof wallMs !== 'number') return none('benchFigures returned no total.wallMs');
    const base = r.runDir ? await scan(r.runDir) : null;
    opts.log(`  figures and report in ${(wallMs / 1000).toFixed(1)} s${base ? ` (scan baseline ${(base.ms / 1000).toFixed(1)} s)` : ''}`);
    return {
      rows: [{ id: '6', figure: label, value: wallMs / 1000, baseline: base ? base.ms / 1000 : null, unit: 's', target: '', met: null }],
      notes: [`6: bench/cases/figures.ts benchFigures (renderFiguresAndReport end to end, in this process; its peak RSS ${r.peakRssMb} MiB includes the bench runner); baseline: scan of the same run's CSVs.`],
      raw: r,
    };
  } finally {
    if (r.runDir) rmSync(r.runDir, { recursive: true, force: true });
  }
}
