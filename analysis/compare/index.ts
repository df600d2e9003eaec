// compare: runs side by side (docs/compare.md). load-runs → tidy-rows → cells → cell-stats
// (intervals) → write-csv, figures, page. Writes summary.csv, cells.csv, compare.html and
// figures/ into outDir; every run is read before anything is written, so bad input writes nothing.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../src/files/atomic-json.js';
import { cellStats, type CellStat } from './cell-stats.js';
import { groupCells, type Params } from './cells.js';
import { MAX_FIGURE_PARAMS, renderCompareFigures } from './figures.js';
import { loadRun } from './load-runs.js';
import { comparePageHtml } from './page.js';
import { tidyRows, type TidyRow } from './tidy-rows.js';
import { cellsCsv, summaryCsv } from './write-csv.js';

export type { CellStat };

export interface CompareOptions {
  /** Run directories (absolute), in any order; legacy run layouts allowed. */
  runDirs: string[];
  /** Where summary.csv, cells.csv, compare.html and figures/ go (created). */
  outDir: string;
  /** Swept parameters per run dir (from a sweep manifest); absent: derived from the runs' manifests. */
  params?: Map<string, Record<string, string | number | boolean | null>>;
  log?: (line: string) => void;
  /** Draw the figures (default true); false: the page says none were drawn. */
  figures?: boolean;
}

export interface CompareResult {
  summaryCsv: string;
  cellsCsv: string;
  page: string;
  figures: string[];
  runs: number;
  cells: number;
  /** The cells' statistics (what cells.csv holds), for the terminal table. */
  stats?: CellStat[];
}

export async function compareRuns(o: CompareOptions): Promise<CompareResult> {
  const log = o.log ?? (() => {});
  if (o.runDirs.length === 0) throw new Error('compare: no run directory given');
  const runs = o.runDirs.map((d, i) => {
    const r = loadRun(d);
    log(`read ${i + 1}/${o.runDirs.length}: ${r.run_id}${r.missing.length ? ` (missing: ${r.missing.join(', ')})` : ''}`);
    return r;
  });
  const given = o.params ? new Map([...o.params].map(([k, v]) => [path.resolve(k), v as Params])) : undefined;
  const { names, cells } = groupCells(runs, given);
  const rowsByRun = new Map<string, TidyRow[]>(runs.map((r) => [r.run_dir, tidyRows(r.stats, r)]));
  const stats = cellStats(cells, rowsByRun);
  log(`${runs.length} run(s) in ${cells.length} cell(s); parameters that vary: ${names.length ? names.join(', ') : 'none'}`);

  if (names.length > MAX_FIGURE_PARAMS)
    log(`${names.length} parameters vary (more than ${MAX_FIGURE_PARAMS}): the figure is drawn over cells, not per parameter`);
  const outDir = path.resolve(o.outDir);
  await mkdir(outDir, { recursive: true });
  const files = {
    summary: path.join(outDir, 'summary.csv'),
    cells: path.join(outDir, 'cells.csv'),
    page: path.join(outDir, 'compare.html'),
  };
  await writeFileAtomic(files.summary, summaryCsv(cells, names, rowsByRun));
  await writeFileAtomic(files.cells, cellsCsv(stats, names));
  log(`wrote ${files.summary} and ${files.cells}`);
  const figures = o.figures === false ? [] : await renderCompareFigures(stats, names, outDir, log);
  await writeFileAtomic(files.page, comparePageHtml({ cells, names, stats, figures, outDir, generatedAt: new Date().toISOString() }));
  log(`wrote ${files.page}`);
  return {
    summaryCsv: files.summary,
    cellsCsv: files.cells,
    page: files.page,
    figures: figures.flatMap((f) => [f.figure.pngPath, f.figure.svgPath]),
    runs: runs.length,
    cells: cells.length,
    stats,
  };
}
