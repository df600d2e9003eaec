// The figure set and the pipeline that renders it: read what the analysis pass gathered
// (stats.json and figures-data.json; never a CSV), build each spec (or a reason to skip it),
// render SVG, 300-DPI PNG and PDF at the print width into <run>/figures/. Each PNG is rasterised on the thread pool while
// the next figure's SVG is built here.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from '../stats/types.js';
import { readFiguresData, type FiguresData } from '../stats/figures-data.js';
import { causalityTimeline } from './causality-timeline.js';
import { clockOffsets } from './clock-offsets.js';
import { commitWaitDecay } from './commit-wait-decay.js';
import { coverage } from './coverage.js';
import { bracketedError } from './bracketed-error.js';
import { causalityFromStats } from './causality-fallback.js';
import { dashboard } from './dashboard.js';
import { causalityFromFiguresData, syncFromFiguresData } from './inputs.js';
import { latency } from './latency.js';
import { ordering } from './ordering.js';
import { sourceHealth } from './source-health.js';
import { specToPrintSvg, writeFigure, type RenderedFigure } from './render.js';
import { figureStyle, type FigureStyle } from './style.js';
import type { FigureContext, FigureDef } from './types.js';
import { windowAgreement } from './window-agreement.js';

/** In report order. */
export const FIGURES: readonly FigureDef[] = [
  dashboard,
  sourceHealth,
  causalityTimeline,
  ordering,
  windowAgreement,
  commitWaitDecay,
  clockOffsets,
  coverage,
  latency,
  bracketedError,
];

/** PNGs being rasterised at once (each holds a ~50 MB pixel buffer). */
const PNG_IN_FLIGHT = 2;

export type FigureOutcome =
  | {
      def: FigureDef;
      status: 'rendered';
      figure: RenderedFigure;
      notes: string[];
      ms: number;
      /** The vega-lite spec as laid out for print (the report's interactive figure starts from it) and its fit scale. */
      spec?: { spec: Record<string, unknown>; fitScale: number };
    }
  | { def: FigureDef; status: 'skipped'; reason: string }
  | { def: FigureDef; status: 'failed'; reason: string };

export interface RenderAllOptions {
  /** Directory for the PNG/SVG files; default <runDir>/figures. */
  outDir?: string;
  /** The analysis pass's figures data (analyzeRun returns it); default: <runDir>/figures-data.json. */
  figuresData?: FiguresData | null;
  /** Print width and titles (default: double column, with titles). */
  style?: FigureStyle;
  /** Called after each figure (for logs). */
  onFigure?: (o: FigureOutcome) => void;
}

export interface RenderAllResult {
  outcomes: FigureOutcome[];
  outDir: string;
  /** Time spent reading figures-data.json and preparing rows, and rendering, ms. */
  readMs: number;
  renderMs: number;
  context: FigureContext;
  /** Why figures-data.json was not used (the figures fall back to stats.json or are skipped). */
  readErrors: string[];
}

/** The figures' input from stats.json and figures-data.json (given, or read beside stats.json). */
export async function figureContext(
  runDir: string,
  stats: Stats,
  given?: FiguresData | null,
): Promise<{ context: FigureContext; readErrors: string[] }> {
  const read = given ? { data: given, reason: null } : await readFiguresData(runDir, stats.generated_at);
  const data = read.data;
  // Without figures-data.json (an older run), the causality timeline falls back to stats.json's sample.
  const causality = (data ? causalityFromFiguresData(stats, data) : null) ?? causalityFromStats(stats);
  const sync = data ? syncFromFiguresData(stats, data) : null;
  const brackets = data?.brackets ?? null;
  const health = data?.health ?? null;
  return {
    context: { stats, causality, sync, brackets, health, figuresDataMissing: read.reason },
    readErrors: read.reason ? [read.reason] : [],
  };
}

export async function renderAllFigures(runDir: string, stats: Stats, opts: RenderAllOptions = {}): Promise<RenderAllResult> {
  const outDir = opts.outDir ?? path.join(runDir, 'figures');
  const style = opts.style ?? figureStyle();
  await mkdir(outDir, { recursive: true });
  const t0 = performance.now();
  // A damaged stats.json (e.g. an anchor that is not a number) costs the data-driven figures, not the report.
  const { context, readErrors } = await figureContext(runDir, stats, opts.figuresData).catch((e: unknown) => {
    const reason = `figure data could not be prepared: ${e instanceof Error ? e.message : String(e)}`;
    return { context: { stats, causality: null, sync: null, figuresDataMissing: reason }, readErrors: [reason] };
  });
  const t1 = performance.now();
  const outcomes = new Array<FigureOutcome>(FIGURES.length);
  const pending = new Set<Promise<void>>();
  const failed = (def: FigureDef, e: unknown): FigureOutcome => ({
    def,
    status: 'failed',
    reason: e instanceof Error ? e.message : String(e),
  });
  for (const [i, def] of FIGURES.entries()) {
    const start = performance.now();
    try {
      const built = def.build(context);
      if ('skip' in built) {
        outcomes[i] = { def, status: 'skipped', reason: built.skip };
        continue;
      }
      const { svg, spec, fitScale } = await specToPrintSvg(built.spec, style);
      while (pending.size >= PNG_IN_FLIGHT) await Promise.race(pending);
      const p: Promise<void> = writeFigure(svg, outDir, def.name)
        .then(
          (figure) => {
            const notes = figure.pdfError ? [...built.notes, `No PDF: ${figure.pdfError}.`] : built.notes;
            outcomes[i] = { def, status: 'rendered', figure, notes, ms: performance.now() - start, spec: { spec, fitScale } };
          },
          (e: unknown) => {
            outcomes[i] = failed(def, e);
          },
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    } catch (e) {
      // One broken figure must not cost the others (or the report): record why and go on.
      outcomes[i] = failed(def, e);
    }
  }
  await Promise.all(pending);
  for (const o of outcomes) opts.onFigure?.(o);
  return { outcomes, outDir, readMs: t1 - t0, renderMs: performance.now() - t1, context, readErrors };
}
