// Benchmark: all figures + report.html for a large synthetic run (default 1,000,000 events to 3
// workers). The generation of the run is not timed. Wall-clock and CPU time are both reported:
// on a shared machine wall-clock mostly measures the neighbours. Call benchFigures() from the
// bench runner, or run this file:  node dist/bench/cases/figures.js [events]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeFixtureRun } from '../../test/fixtures/figures-run.js';
import { renderFiguresAndReport } from '../../analysis/report/index.js';
import { readCausalityData } from '../../analysis/figures/event-stream.js';
import { readSyncData } from '../../analysis/figures/sync-stream.js';

export interface FiguresBenchOptions {
  /** Events sent (each to every worker). Default 1,000,000. */
  events?: number;
  workers?: number;
  /** Keep the generated run directory (its path is returned). */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface FiguresBenchResult {
  events: number;
  workers: number;
  /** Data rows streamed from coordinator.csv + workers/*.csv + sync/*.csv. */
  csvRows: number;
  csvBytes: number;
  generateMs: number;
  /** Streaming the CSVs into bins and samples (wall, CPU). */
  read: { wallMs: number; cpuMs: number };
  /** renderFiguresAndReport end to end: read + 8 figures (SVG + 300-DPI PNG) + report.html. */
  total: { wallMs: number; cpuMs: number };
  perFigureMs: Record<string, number>;
  reportBytes: number;
  /** Marks in the densest figure (causality samples). */
  causalityMarks: number;
  peakRssMb: number;
  loadAverage: number[];
  runDir: string | null;
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return Math.round((d.user + d.system) / 1000);
}

export async function benchFigures(o: FiguresBenchOptions = {}): Promise<FiguresBenchResult> {
  const events = o.events ?? 1_000_000;
  const nWorkers = o.workers ?? 3;
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-figures-'));
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  try {
    const workers = Array.from({ length: nWorkers }, (_, i) => `w${i + 1}`);
    log(`figures bench: generating ${events} events × ${nWorkers} workers in ${dir}`);
    let t = performance.now();
    // stats.json from every 20th event keeps generation short; the figures read aggregates from it.
    const stats = await makeFixtureRun(dir, { events, rate: 1000, workers, statsEvery: events > 100_000 ? 20 : 1, noCommitWait: true });
    const generateMs = Math.round(performance.now() - t);
    let csvBytes = 0;
    for (const sub of ['.', 'workers', 'sync']) {
      for (const f of readdirSync(path.join(dir, sub)).filter((x) => x.endsWith('.csv'))) csvBytes += statSync(path.join(dir, sub, f)).size;
    }
    peak = process.memoryUsage().rss;

    t = performance.now();
    let c = process.cpuUsage();
    const causality = await readCausalityData(dir, stats);
    const sync = await readSyncData(dir, stats);
    const read = { wallMs: Math.round(performance.now() - t), cpuMs: cpuMs(c) };
    log(`figures bench: read ${JSON.stringify(read)}`);

    t = performance.now();
    c = process.cpuUsage();
    const r = await renderFiguresAndReport(dir, stats);
    const total = { wallMs: Math.round(performance.now() - t), cpuMs: cpuMs(c) };
    if (r.failed.length) throw new Error(`figures failed: ${JSON.stringify(r.failed)}`);
    const result: FiguresBenchResult = {
      events, workers: nWorkers, csvRows: (causality?.rowsRead ?? 0) + (sync?.rowsRead ?? 0), csvBytes, generateMs,
      read, total, perFigureMs: r.timings.perFigureMs, reportBytes: statSync(r.report).size,
      causalityMarks: causality?.samples.length ?? 0, peakRssMb: Math.round(peak / 2 ** 20),
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10), runDir: o.keep ? dir : null,
    };
    log(`figures bench: ${JSON.stringify(result)}`);
    return result;
  } finally {
    clearInterval(timer);
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const events = process.argv[2] ? Number(process.argv[2]) : undefined;
  benchFigures({ events }).then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n')).catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
}
