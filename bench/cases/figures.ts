// Benchmark: all figures + report.html for a synthetic run (default 100,000 events to 4 workers),
// against the pipeline before the one-pass analysis (bench/baselines/figures-reread/: re-read the
// CSVs, old renderer) in the same process and run. Generating and analysing the run are not timed
// as figure cost; the analysis' extra work for the figures (the causality sample) is timed on its
// own and added to the new side. Wall-clock and CPU time are both reported: on a shared machine
// wall-clock mostly measures the neighbours. Each side runs three times, interleaved (B N N B B N:
// each side as often first and second of a pair); the best of each is kept. Call benchFigures()
// from the bench runner, or run this file:
//   node dist/bench/cases/figures.js [events] [workers]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeFixtureRun } from '../../test/fixtures/figures-run.js';
import { analyzeRun } from '../../analysis/analyze.js';
import { renderFiguresAndReport } from '../../analysis/report/index.js';
import { CausalitySampler, figureSampling } from '../../analysis/fold/figure-samples.js';
import { emptyStamps, type JoinedEvent } from '../../analysis/join/joined.js';
import { baselineFiguresAndReport } from '../baselines/figures-reread/pipeline.js';
import { measureReportLoad, type ReportLoad } from './report-load.js';

export interface FiguresBenchOptions {
  /** Events sent (each to every worker). Default 100,000. */
  events?: number;
  workers?: number;
  /** Keep the generated run directory (its path is returned). */
  keep?: boolean;
  log?: (line: string) => void;
}

interface Cost {
  wallMs: number;
  cpuMs: number;
}

export interface FiguresBenchResult {
  events: number;
  workers: number;
  csvBytes: number;
  generateMs: number;
  /** analyzeRun (stats.json + figures-data.json), for scale; not figure cost. */
  analyzeMs: number;
  /** The analysis' extra work for the figures: the causality sample over as many (event, worker) pairs, timed alone. */
  gather: Cost;
  /** renderFiguresAndReport end to end: read figures-data.json + 8 figures (SVG + 300-DPI PNG) + report.html. */
  total: Cost;
  /** New figure cost: total + gather. */
  newCost: Cost;
  /** Before: re-read of the CSVs + the same specs rendered by the old renderer + report.html. */
  baseline: { read: { wallMs: number }; total: Cost; marks: number; perFigureMs: Record<string, number> };
  /** newCost / baseline.total (wall and CPU); the target is ≤ 0.5. */
  ratio: { wall: number; cpu: number };
  perFigureMs: Record<string, number>;
  reportBytes: number;
  /** report.html in headless Chromium (bench/cases/report-load.ts); null: no Chromium. */
  reportLoad: ReportLoad | null | { error: string };
  /** Marks in the densest figure (causality samples drawn). */
  causalityMarks: number;
  peakRssMb: number;
  loadAverage: number[];
  runDir: string | null;
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return Math.round((d.user + d.system) / 1000);
}

async function timed<T>(f: () => Promise<T>): Promise<{ cost: Cost; value: T }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = await f();
  return { cost: { wallMs: Math.round(performance.now() - t), cpuMs: cpuMs(c) }, value };
}

const better = (a: Cost, b: Cost): Cost => ({ wallMs: Math.min(a.wallMs, b.wallMs), cpuMs: Math.min(a.cpuMs, b.cpuMs) });

/** The causality sampler over `events` synthetic joined events at `workers` workers, 3 sources (one bounded). */
function timeGather(events: number, workers: string[]): Cost {
  const sources = [
    { name: 'system', bounded: false },
    { name: 'ntp', bounded: false },
    { name: 'bounded', bounded: true },
  ];
  const sampler = new CausalitySampler(sources, workers, 0, figureSampling(events, workers.length, sources.length));
  const coord = emptyStamps(3);
  const ws = workers.map(() => ({ recvLocal: 0, trueRecv: NaN, vals: emptyStamps(3), reest: null }));
  const ev: JoinedEvent = { seq: 0, eventId: '', sendLocal: 0, trueSend: NaN, sendKernel: NaN, trueSendKernel: NaN, coord, workers: ws };
  const t = performance.now();
  const c = process.cpuUsage();
  for (let i = 0; i < events; i++) {
    ev.seq = i;
    ev.sendLocal = i * 1e6;
    for (let s = 0; s < 3; s++) {
      coord[s * 3] = ev.sendLocal;
      coord[s * 3 + 1] = ev.sendLocal - 5e5;
      coord[s * 3 + 2] = ev.sendLocal + 5e5;
    }
    for (const [w, st] of ws.entries()) {
      for (let s = 0; s < 3; s++) {
        const r = ev.sendLocal + 2e5 + ((i * 7919 + w * 104729 + s) % 1000) * 1e3 - 3e5; // some violations
        st.vals[s * 3] = r;
        st.vals[s * 3 + 1] = r - 5e5;
        st.vals[s * 3 + 2] = r + 5e5;
      }
    }
    sampler.add(ev);
  }
  return { wallMs: Math.round(performance.now() - t), cpuMs: cpuMs(c) };
}

export async function benchFigures(o: FiguresBenchOptions = {}): Promise<FiguresBenchResult> {
  const events = o.events ?? 100_000;
  const nWorkers = o.workers ?? 4;
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-figures-'));
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const workers = Array.from({ length: nWorkers }, (_, i) => `w${i + 1}`);
    log(`figures bench: generating ${events} events × ${nWorkers} workers in ${dir}`);
    let t = performance.now();
    // The fixture's own stats.json is replaced by the analysis' (which also writes figures-data.json).
    await makeFixtureRun(dir, { events, rate: 1000, workers, statsEvery: events > 100_000 ? 20 : 5, noCommitWait: true });
    const generateMs = Math.round(performance.now() - t);
    let csvBytes = 0;
    for (const sub of ['.', 'workers', 'sync']) {
      for (const f of readdirSync(path.join(dir, sub)).filter((x) => x.endsWith('.csv'))) csvBytes += statSync(path.join(dir, sub, f)).size;
    }
    t = performance.now();
    const { stats } = await analyzeRun(dir);
    const analyzeMs = Math.round(performance.now() - t);
    peak = process.memoryUsage().rss;
    const gather = timeGather(events, workers);

    const baseOut = path.join(dir, 'figures-baseline');
    const runBaseline = () => timed(() => baselineFiguresAndReport(dir, stats, baseOut));
    const runNew = () => timed(() => renderFiguresAndReport(dir, stats));
    const b1 = await runBaseline();
    const n1 = await runNew();
    const n2 = await runNew();
    const b2 = await runBaseline();
    const b3 = await runBaseline();
    const n3 = await runNew();
    const r = n3.value;
    if (r.failed.length) throw new Error(`figures failed: ${JSON.stringify(r.failed)}`);
    const total = better(better(n1.cost, n2.cost), n3.cost);
    const newCost = { wallMs: total.wallMs + gather.wallMs, cpuMs: total.cpuMs + gather.cpuMs };
    const bTotal = better(better(b1.cost, b2.cost), b3.cost);
    const bRead = { wallMs: Math.round(Math.min(b1.value.readMs, b2.value.readMs, b3.value.readMs)) };
    const causality = await import('../../analysis/figures/index.js')
      .then((m) => m.figureContext(dir, stats))
      .then((x) => x.context.causality);
    const result: FiguresBenchResult = {
      events,
      workers: nWorkers,
      csvBytes,
      generateMs,
      analyzeMs,
      gather,
      total,
      newCost,
      baseline: { read: bRead, total: bTotal, marks: b2.value.marks, perFigureMs: b2.value.perFigureMs },
      ratio: {
        wall: Math.round((newCost.wallMs / bTotal.wallMs) * 100) / 100,
        cpu: Math.round((newCost.cpuMs / bTotal.cpuMs) * 100) / 100,
      },
      perFigureMs: r.timings.perFigureMs,
      reportBytes: statSync(r.report).size,
      reportLoad: await measureReportLoad(r.report).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) })),
      causalityMarks: causality?.samples.length ?? 0,
      peakRssMb: Math.round(peak / 2 ** 20),
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      runDir: o.keep ? dir : null,
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
  const workers = process.argv[3] ? Number(process.argv[3]) : undefined;
  benchFigures({ events, workers })
    .then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'))
    .catch((e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
      process.exit(1);
    });
}
