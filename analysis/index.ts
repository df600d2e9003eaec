// The one way into the analysis. analyzeRun reads a run directory and writes stats.json:
// load/ (CSV bytes → rows) → join/ (rows → events) → fold/ and threads/ (events → counts →
// entries) → stats/ (the stats.json types, headline, summary). renderFiguresAndReport draws
// figures/ and report.html from those stats; it is loaded on first use (vega and sharp are heavy,
// and a worker or a --no-figures analysis never needs them).
import type { Stats } from './stats/types.js';
import type { ReportOptions, ReportResult } from './report/index.js';

export { analyzeRun } from './analyze.js';
export { locateRun } from './load/run-files.js';
export { REORDER_WINDOW } from './join/join.js';
export { nearestRank } from './stats/distribution.js';
export type * from './stats/types.js';
export type * from './stats/bracket-types.js';
export type { ReportOptions, ReportResult };

export async function renderFiguresAndReport(runDir: string, stats: Stats, opts?: ReportOptions): Promise<ReportResult> {
  const report = await import('./report/index.js');
  return report.renderFiguresAndReport(runDir, stats, opts);
}
