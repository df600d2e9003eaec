// Baseline for the figures bench: the figures + report pipeline as it was before the one-pass
// analysis — re-read coordinator.csv, workers/*.csv and sync/*.csv (copies of the old readers in
// this folder), then build the same figure specs and render them one after the other with the old
// renderer (PNG zlib level 6) — so the bench can time "before" and "after" in the same run.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from '../../../analysis/stats/types.js';
import { FIGURES, type FigureOutcome } from '../../../analysis/figures/index.js';
import type { CausalityData as ViewCausality, SyncData as ViewSync } from '../../../analysis/figures/inputs.js';
import { buildReportHtml } from '../../../analysis/report/page.js';
import { writeFileAtomic } from '../../../src/files/atomic-json.js';
import { readCausalityData } from './event-stream.js';
import { readSyncData } from './sync-stream.js';
import { renderFigure } from './render.js';

export interface BaselineTimings {
  readMs: number;
  renderMs: number;
  marks: number;
  perFigureMs: Record<string, number>;
}

export async function baselineFiguresAndReport(runDir: string, stats: Stats, outDir: string): Promise<BaselineTimings> {
  await mkdir(outDir, { recursive: true });
  const t0 = performance.now();
  const c = await readCausalityData(runDir, stats);
  const s = await readSyncData(runDir, stats);
  const t1 = performance.now();
  // The old rows in today's figure input shape (the same marks; × = the old reader's violations).
  const causality: ViewCausality | null = c && {
    sources: c.sources,
    bins: c.bins,
    bin_s: c.bin_s,
    droppedBin: null,
    stride: c.stride,
    violations: c.violations,
    violationCap: c.violationCap,
    fromStats: false,
    samples: c.samples.map((m) => ({ ...m, violation: m.outcome === 'point violation' || m.outcome === 'interval violation' })),
  };
  const sync: ViewSync | null = s && { bins: s.bins, series: s.series, rejectedRows: s.rejectedRows };
  const context = { stats, causality, sync, figuresDataMissing: null };
  const outcomes: FigureOutcome[] = [];
  const perFigureMs: Record<string, number> = {};
  for (const def of FIGURES) {
    const start = performance.now();
    const built = def.build(context);
    if ('skip' in built) {
      outcomes.push({ def, status: 'skipped', reason: built.skip });
      continue;
    }
    const figure = await renderFigure(built.spec, outDir, def.name);
    perFigureMs[def.name] = Math.round(performance.now() - start);
    outcomes.push({ def, status: 'rendered', figure: { ...figure, pdfPath: null }, notes: built.notes, ms: perFigureMs[def.name]! });
  }
  const html = buildReportHtml(stats, outcomes, stats.run.manifest, path.relative(runDir, outDir));
  await writeFileAtomic(path.join(outDir, 'report.html'), html);
  return { readMs: t1 - t0, renderMs: performance.now() - t1, marks: c?.samples.length ?? 0, perFigureMs };
}
