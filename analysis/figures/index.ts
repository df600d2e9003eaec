// The figure set and the pipeline that renders it: stream the per-event CSVs once, build each
// spec (or a reason to skip it), render SVG + 300-DPI PNG into <run>/figures/.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from '../stats/types.js';
import { causalityTimeline } from './causality-timeline.js';
import { clockOffsets } from './clock-offsets.js';
import { commitWaitDecay } from './commit-wait-decay.js';
import { coverage } from './coverage.js';
import { causalityFromStats } from './causality-from-stats.js';
import { dashboard } from './dashboard.js';
import { readCausalityData, type CausalityOptions } from './event-stream.js';
import { latency } from './latency.js';
import { ordering } from './ordering.js';
import { renderFigure, type RenderedFigure } from './render.js';
import { readSyncData } from './sync-stream.js';
import type { FigureContext, FigureDef } from './types.js';
import { windowAgreement } from './window-agreement.js';

/** In report order. */
export const FIGURES: readonly FigureDef[] = [
  dashboard, causalityTimeline, ordering, windowAgreement, commitWaitDecay, clockOffsets, coverage, latency,
];

export type FigureOutcome =
  | { def: FigureDef; status: 'rendered'; figure: RenderedFigure; notes: string[]; ms: number }
  | { def: FigureDef; status: 'skipped'; reason: string }
  | { def: FigureDef; status: 'failed'; reason: string };

export interface RenderAllOptions {
  /** Directory for the PNG/SVG files; default <runDir>/figures. */
  outDir?: string;
  causality?: CausalityOptions;
  /** Called after each figure (for logs). */
  onFigure?: (o: FigureOutcome) => void;
}

export interface RenderAllResult {
  outcomes: FigureOutcome[];
  outDir: string;
  /** Time spent streaming the CSVs and rendering, ms. */
  readMs: number;
  renderMs: number;
  context: FigureContext;
  /** CSV files that could not be streamed (the figures fall back or are skipped). */
  readErrors: string[];
}

export async function renderAllFigures(runDir: string, stats: Stats, opts: RenderAllOptions = {}): Promise<RenderAllResult> {
  const outDir = opts.outDir ?? path.join(runDir, 'figures');
  await mkdir(outDir, { recursive: true });
  const t0 = performance.now();
  // Native runs: stream the CSVs. Legacy imports (other file names and columns) or a directory
  // without the CSVs: fall back to the analysis' own timeline bins and event sample.
  const readErrors: string[] = [];
  const guarded = async <T>(what: string, f: () => Promise<T | null>): Promise<T | null> => {
    try { return await f(); } catch (e) { readErrors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`); return null; }
  };
  let causality = stats.run.format === 'native' ? await guarded('event CSVs', () => readCausalityData(runDir, stats, opts.causality)) : null;
  if (!causality || causality.rowsRead === 0 || causality.samples.length === 0) causality = causalityFromStats(stats) ?? causality;
  const sync = await guarded('sync CSVs', () => readSyncData(runDir, stats));
  const context: FigureContext = { stats, causality, sync };
  const t1 = performance.now();
  const outcomes: FigureOutcome[] = [];
  for (const def of FIGURES) {
    let outcome: FigureOutcome;
    const start = performance.now();
    try {
      const built = def.build(context);
      if ('skip' in built) outcome = { def, status: 'skipped', reason: built.skip };
      else {
        const figure = await renderFigure(built.spec, outDir, def.name);
        outcome = { def, status: 'rendered', figure, notes: built.notes, ms: performance.now() - start };
      }
    } catch (e) {
      // One broken figure must not cost the others (or the report): record why and go on.
      outcome = { def, status: 'failed', reason: e instanceof Error ? e.message : String(e) };
    }
    outcomes.push(outcome);
    opts.onFigure?.(outcome);
  }
  return { outcomes, outDir, readMs: t1 - t0, renderMs: performance.now() - t1, context, readErrors };
}
