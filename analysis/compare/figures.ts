// compare's figures: each headline metric against each varying parameter, one line per source
// (per source and the other parameters' values when several vary), error bars = the 95 %
// intervals of cells.csv. Vega-Lite specs rendered to SVG and a 300-DPI PNG by the run figures'
// path (analysis/figures/render.ts). Without a varying parameter: one point per cell and source.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { specToPrintSvg, writeFigure, type RenderedFigure } from '../figures/render.js';
import { baseConfig, colourScale, dashScale, figureStyle, shapeScale } from '../figures/style.js';
import { asSpec } from '../figures/types.js';
import type { CellStat } from './cell-stats.js';
import type { ParamValue } from './cells.js';

/** Metrics drawn (workers pooled), in panel order, with their axis titles. */
export const HEADLINE_METRICS: readonly {
  metric: string;
  title: string;
  /** Which way is better: names the worst worker. */ better: 'high' | 'low';
}[] = [
  { metric: 'coverage', title: 'coverage of true time (%)', better: 'high' },
  { metric: 'point_violations', title: 'point causality violations (%)', better: 'low' },
  { metric: 'interval_violations', title: 'interval causality violations (%)', better: 'low' },
  { metric: 'wrong_orders_point', title: 'wrong point orders (%)', better: 'low' },
  { metric: 'wrong_orders_interval', title: 'wrong interval orders (%)', better: 'low' },
  { metric: 'abs_point_error_p50', title: '|point error| p50 (ms)', better: 'low' },
  { metric: 'abs_point_error_p99', title: '|point error| p99 (ms)', better: 'low' },
  { metric: 'availability', title: 'readings with a value (%)', better: 'high' },
  { metric: 'bracketed_provable_miss', title: 'provable misses, echo brackets (%)', better: 'low' },
];

export interface CompareFigure {
  name: string;
  title: string;
  howToRead: string;
  figure: RenderedFigure;
}

/** A unit → the drawn scale: shares as %, ns as ms. */
function scaleOf(unit: string): number {
  return unit === 'ratio' ? 100 : unit === 'ns' ? 1e-6 : 1;
}

const fileStem = (name: string): string => `compare-${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
const valueText = (v: ParamValue | undefined): string => (v === null || v === undefined ? 'null' : String(v));

interface Point {
  series: string;
  source: string;
  x: string | number | null;
  y: number;
  lo: number | null;
  hi: number | null;
  n: number;
}

function panel(points: Point[], title: string, xTitle: string, quantitative: boolean, series: string[]): Record<string, unknown> {
  const x = {
    field: 'x',
    type: quantitative ? 'quantitative' : 'ordinal',
    title: xTitle,
    scale: quantitative ? { zero: false } : undefined,
    // Ticks at the values measured (a sweep's few levels), not at round numbers between them.
    axis: quantitative ? { values: [...new Set(points.map((p) => p.x as number))].sort((a, b) => a - b) } : undefined,
  };
  // Categories: the sources side by side within each, so that their bars do not hide each other.
  const offset = quantitative ? {} : { xOffset: { field: 'series', type: 'nominal' } };
  return {
    width: 300,
    height: 150,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: 'datum.lo != null' }],
        mark: { type: 'rule', strokeWidth: 1.2 },
        encoding: {
          x,
          ...offset,
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
          color: { field: 'series', type: 'nominal', scale: colourScale(series), title: 'source' },
        },
      },
      {
        mark: quantitative ? { type: 'line', point: { filled: true, size: 36 } } : { type: 'point', filled: true, size: 36 },
        encoding: {
          x,
          ...offset,
          y: { field: 'y', type: 'quantitative', title, scale: { zero: false } },
          color: { field: 'series', type: 'nominal', scale: colourScale(series), title: 'source' },
          strokeDash: { field: 'series', type: 'nominal', scale: dashScale(series), title: 'source' },
          shape: { field: 'series', type: 'nominal', scale: shapeScale(series), title: 'source' },
          tooltip: [
            { field: 'series', title: 'source' },
            { field: 'x', title: xTitle },
            { field: 'y', title },
            { field: 'lo', title: '95 % CI low' },
            { field: 'hi', title: '95 % CI high' },
            { field: 'n', title: 'runs' },
          ],
        },
      },
    ],
  };
}

/** More varying parameters than this: one figure over the cells instead of one per parameter. */
export const MAX_FIGURE_PARAMS = 4;

/** A cell's label on an axis: its id when short, else `cell N` (N = its row in the page's cell list, from 1). */
export function cellLabel(id: string, index: number): string {
  return id.length <= 40 ? id : `cell ${index + 1}`;
}

/** The specs: one per varying parameter (or one over cells when none or too many vary), one panel per metric with data. */
export function compareSpecs(
  stats: readonly CellStat[],
  names: readonly string[],
): { name: string; title: string; howToRead: string; spec: Record<string, unknown> }[] {
  const pooled = stats.filter((s) => s.node === '' && s.estimate !== null);
  const byParam = names.length > 0 && names.length <= MAX_FIGURE_PARAMS;
  const axes = byParam ? names : [null];
  const cellIds = [...new Set(stats.map((s) => s.cell))];
  const cellX = (s: CellStat): string => cellLabel(s.cell, cellIds.indexOf(s.cell));
  return axes.flatMap((param) => {
    const others = param === null ? [] : names.filter((k) => k !== param);
    const xs = pooled.map((s) => (param === null ? cellX(s) : s.params[param]));
    const quantitative = param !== null && xs.every((v) => typeof v === 'number');
    const seriesOf = (s: CellStat): string => {
      const rest = others.map((o) => `${o}=${valueText(s.params[o])}`).join(', ');
      return rest ? `${s.source} (${rest})` : s.source;
    };
    // One colour, shape and dash per series across every panel of the figure.
    const series = [...new Set(pooled.filter((s) => HEADLINE_METRICS.some((m) => m.metric === s.metric)).map(seriesOf))];
    const panels = HEADLINE_METRICS.flatMap(({ metric, title }) => {
      const rows = pooled.filter((s) => s.metric === metric);
      if (rows.length === 0) return [];
      const points: Point[] = rows.map((s) => {
        const k = scaleOf(s.unit);
        const xv = param === null ? cellX(s) : s.params[param];
        return {
          series: seriesOf(s),
          source: s.source,
          x: typeof xv === 'boolean' ? String(xv) : (xv ?? null),
          y: s.estimate! * k,
          lo: s.ci_lo === null ? null : s.ci_lo * k,
          hi: s.ci_hi === null ? null : s.ci_hi * k,
          n: s.n,
        };
      });
      return [panel(points, title, param ?? 'cell', quantitative, series)];
    });
    if (panels.length === 0) return [];
    const name = fileStem(param ?? 'cells');
    const title = param === null ? 'Headline metrics per cell' : `Headline metrics against ${param}`;
    return [
      {
        name,
        title,
        howToRead:
          `Each panel is one metric (workers pooled), one line per source${others.length ? ' and value of the other parameters' : ''}; ` +
          'the point is the pooled share (Wilson) or the mean over seeds (t), the bar its 95 % confidence interval (no bar: one run, no interval).',
        spec: {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          title: { text: title },
          concat: panels,
          columns: 2,
          resolve: { scale: { color: 'independent', strokeDash: 'independent', shape: 'independent' } },
          config: baseConfig(),
        },
      },
    ];
  });
}

/** Render every spec into `<outDir>/figures/` (SVG, 300-DPI PNG and PDF, double-column width). */
export async function renderCompareFigures(
  stats: readonly CellStat[],
  names: readonly string[],
  outDir: string,
  log?: (line: string) => void,
): Promise<CompareFigure[]> {
  const dir = path.join(outDir, 'figures');
  await mkdir(dir, { recursive: true });
  const out: CompareFigure[] = [];
  const style = figureStyle();
  for (const s of compareSpecs(stats, names)) {
    const { svg } = await specToPrintSvg(asSpec(s.spec), style, (w) => log?.(`figure ${s.name}: ${w}`));
    const figure = await writeFigure(svg, dir, s.name);
    log?.(`figure ${path.relative(outDir, figure.pngPath)}`);
    out.push({ name: s.name, title: s.title, howToRead: s.howToRead, figure });
  }
  return out;
}
