import type { Row } from './table.js';

/**
 * Optional figure 6: every figure plus report.html for a synthetic run (bench/cases/figures.ts,
 * benchFigures), against the pipeline before the one-pass analysis — re-read of the CSVs and the
 * old renderer, bench/baselines/figures-reread/ — timed in the same process and run, wall and CPU.
 * Missing module, failure or no time left: printed as "not measured" with why.
 */
export interface FiguresFigures {
  rows: Row[];
  notes: string[];
  raw: unknown;
}

interface Cost {
  wallMs: number;
  cpuMs: number;
}
interface FiguresResult {
  newCost?: Cost;
  gather?: Cost;
  total?: Cost;
  baseline?: { total: Cost; read: { wallMs: number } };
  peakRssMb: number;
  runDir: string | null;
  events: number;
  workers: number;
  causalityMarks?: number;
  reportLoad?: { bytes: number; bestWallMs: number; bestCpuMs: number } | null | { error: string };
}
type BenchFigures = (o: { events?: number; workers?: number; keep?: boolean; log?: (s: string) => void }) => Promise<FiguresResult>;

const TARGET = 0.5;

export async function runFiguresHook(opts: {
  events: number;
  workers: number;
  skipReason: string | null;
  log: (s: string) => void;
}): Promise<FiguresFigures> {
  const label = `figures + report, ${opts.events.toLocaleString('en-US')} ev × ${opts.workers} workers`;
  const none = (why: string): FiguresFigures => {
    opts.log(`figure 6 not measured: ${why}`);
    return {
      rows: [{ id: '6', figure: label, value: null, baseline: null, unit: 's', target: `≤ ${TARGET}× baseline`, met: null, note: why }],
      notes: [`6: not measured — ${why}.`],
      raw: { error: why },
    };
  };
  if (opts.skipReason) return none(opts.skipReason);
  let bench: BenchFigures;
  try {
    const mod = (await import(new URL('../cases/figures.js', import.meta.url).href)) as { benchFigures?: BenchFigures };
    if (typeof mod.benchFigures !== 'function') return none('bench/cases/figures.ts does not export benchFigures()');
    bench = mod.benchFigures;
  } catch (e) {
    return none(`bench/cases/figures.ts could not be loaded (${(e as Error).message.split('\n')[0]})`);
  }
  let r: FiguresResult;
  try {
    r = await bench({ events: opts.events, workers: opts.workers, log: () => {} });
  } catch (e) {
    return none(`benchFigures failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const n = r.newCost;
  const b = r.baseline?.total;
  if (!n || !b) return none('benchFigures returned no newCost or baseline (an older bench/cases/figures.ts)');
  const met = (v: number, base: number): boolean => v / base <= TARGET;
  opts.log(
    `  figures and report: ${(n.wallMs / 1000).toFixed(2)} s wall, ${(n.cpuMs / 1000).toFixed(2)} s CPU; before (re-read + old renderer): ${(b.wallMs / 1000).toFixed(2)} s wall, ${(b.cpuMs / 1000).toFixed(2)} s CPU`,
  );
  return {
    rows: [
      {
        id: '6',
        figure: `${label} (wall)`,
        value: n.wallMs / 1000,
        baseline: b.wallMs / 1000,
        unit: 's',
        target: `≤ ${TARGET}× baseline`,
        met: met(n.wallMs, b.wallMs),
      },
      {
        id: '6',
        figure: `${label} (CPU)`,
        value: n.cpuMs / 1000,
        baseline: b.cpuMs / 1000,
        unit: 's',
        target: `≤ ${TARGET}× baseline`,
        met: met(n.cpuMs, b.cpuMs),
      },
      ...loadRows(r.reportLoad, opts.events, opts.workers),
    ],
    notes: [
      ...loadNotes(r.reportLoad),
      `6: bench/cases/figures.ts benchFigures, in this process: renderFiguresAndReport from stats.json + figures-data.json, plus the analysis' causality-sample gathering timed alone (${r.gather?.cpuMs ?? '?'} ms CPU); ` +
        `baseline: the pipeline before the one-pass analysis (bench/baselines/figures-reread/: re-read of the CSVs ${((r.baseline?.read.wallMs ?? NaN) / 1000).toFixed(2)} s wall, the same figure specs, the old sequential renderer) on the same run directory; each side run three times, interleaved, the best kept; peak RSS ${r.peakRssMb} MiB includes the bench runner.`,
    ],
    raw: r,
  };
}

type Load = FiguresResult['reportLoad'];

/** Figure 6b: report.html loaded in headless Chromium until every figure is drawn (bench/cases/report-load.ts). */
function loadRows(l: Load, events: number, workers: number): Row[] {
  const figure = `report.html in Chromium, ${events.toLocaleString('en-US')} ev × ${workers}: every figure drawn`;
  if (!l || 'error' in l)
    return [
      { id: '6b', figure, value: null, baseline: null, unit: 's', target: '< 2 s', met: null, note: l ? l.error : 'no /usr/bin/chromium' },
    ];
  return [
    {
      id: '6b',
      figure: `${figure} (wall)`,
      value: l.bestWallMs / 1000,
      baseline: null,
      unit: 's',
      target: '< 2 s',
      met: l.bestWallMs < 2000,
    },
    {
      id: '6b',
      figure: `${figure} (main thread)`,
      value: l.bestCpuMs / 1000,
      baseline: null,
      unit: 's',
      target: '< 2 s',
      met: l.bestCpuMs < 2000,
    },
  ];
}

function loadNotes(l: Load): string[] {
  if (!l || 'error' in l) return [];
  return [
    `6b: bench/cases/report-load.ts: the page (${(l.bytes / 1e6).toFixed(2)} MB, one file) in a fresh headless Chromium page with the network cut, navigation to html[data-figures="done"] by the page's clock, and the main thread's busy time over it; best of 3.`,
  ];
}
