// The report's interactive variant of a figure: the same vega-lite spec as the print (as laid out
// and fitted), drawn at screen size, with a tooltip on every data mark, zoom and pan on time axes,
// and never more than MAX_ROWS data rows (the browser must draw it in well under a second).
// Pure: the print spec is not changed (data arrays are shared unless thinned).

import { compile, type TopLevelSpec } from 'vega-lite';

type Json = Record<string, unknown>;

/** vega-lite's layout hints (console.warn by default) are not errors of these specs; errors still throw. */
const quietLogger = {
  level: () => 0,
  warn: () => quietLogger,
  info: () => quietLogger,
  debug: () => quietLogger,
  error: (...a: unknown[]): never => {
    throw new Error(a.map(String).join(' '));
  },
} as never;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Data rows per figure in the page at most; figures-data.json already bounds them well below this. */
export const MAX_ROWS = 5000;

/** CSS px per pt: the page shows a figure at its printed size on a 96-DPI screen. */
const PX_PER_PT = 96 / 72;

/** Fields of a time axis (seconds since the first send): zoom and pan bind to them. */
const TIME_FIELDS = new Set(['t_s']);

/** Lengths in the spec and its config (scaled by k), areas (k²). */
const LENGTH =
  /^(width|height|step|fontSize|strokeWidth|gridWidth|tickSize|offset|dx|dy|continuousWidth|continuousHeight)$|(FontSize|StrokeWidth|Padding)$|^padding$/;
const AREA = /^(size|symbolSize)$/;

/** Every length in the spec times k (data values untouched): the drawing as the print would look at k× its size. */
function scaleLengths(v: unknown, k: number): unknown {
  if (Array.isArray(v)) return v.map((x) => scaleLengths(x, k));
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [key, x] of Object.entries(v)) {
    if (key === 'data' || key === 'datasets' || key === 'scale') out[key] = x;
    else if (typeof x === 'number' && LENGTH.test(key)) out[key] = Math.round(x * k * 100) / 100;
    else if (typeof x === 'number' && AREA.test(key)) out[key] = Math.round(x * k * k * 100) / 100;
    else out[key] = scaleLengths(x, k);
  }
  return out;
}

const hasField = (enc: unknown): boolean => isObject(enc) && Object.values(enc).some((c) => isObject(c) && typeof c.field === 'string');

const isTimeUnit = (o: Json): boolean =>
  'mark' in o && isObject(o.encoding) && isObject(o.encoding.x) && TIME_FIELDS.has(o.encoding.x.field as string);

/** A tooltip (every field of the datum: event, worker, source, value, ...) on each mark that draws data. */
function addTooltips(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(addTooltips);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [key, x] of Object.entries(v)) out[key] = key === 'data' || key === 'datasets' ? x : addTooltips(x);
  if ('mark' in out && hasField(out.encoding)) {
    const mark = isObject(out.mark) ? out.mark : { type: out.mark };
    out.mark = { ...mark, tooltip: { content: 'data' } };
  }
  return out;
}

/**
 * Zoom (wheel) and pan (drag) on every time axis: an x interval selection bound to the scales, on
 * one layer of each layered view (the layers share the scale), none inside a facet (unsupported).
 */
function addZoom(spec: Json): { spec: Json; zooms: number } {
  let n = 0;
  const param = () => ({ name: `zoom_${n++}`, select: { type: 'interval', encodings: ['x'] }, bind: 'scales' });
  const walk = (o: Json): Json => {
    const out: Json = { ...o };
    if (Array.isArray(o.layer)) {
      const i = (o.layer as unknown[]).findIndex((c) => isObject(c) && isTimeUnit(c));
      if (i >= 0)
        out.layer = (o.layer as Json[]).map((c, j) => (j === i ? { ...c, params: [...((c.params as unknown[]) ?? []), param()] } : c));
      return out;
    }
    if (isTimeUnit(o)) return { ...out, params: [...((o.params as unknown[]) ?? []), param()] };
    for (const key of ['vconcat', 'hconcat', 'concat'] as const)
      if (Array.isArray(o[key])) out[key] = (o[key] as unknown[]).map((c) => (isObject(c) ? walk(c) : c));
    return out;
  };
  const out = walk(spec);
  return { spec: out, zooms: n };
}

/** Every inline `data.values` array of the spec, each once (views may share one array). */
function dataArrays(v: unknown, found = new Set<unknown[]>()): Set<unknown[]> {
  if (Array.isArray(v)) for (const x of v) dataArrays(x, found);
  else if (isObject(v)) {
    for (const [key, x] of Object.entries(v)) {
      if (key === 'data' && isObject(x) && Array.isArray(x.values)) found.add(x.values);
      else dataArrays(x, found);
    }
  }
  return found;
}

/** Significant digits of the page's numbers: far below any figure's resolution, and a third of the bytes. */
const DIGITS = 7;
const round = (v: unknown): unknown => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(DIGITS)) : v);

/**
 * The data moved to top-level `datasets` (an array shared by views is written once), each array
 * cut to every k-th row and its numbers rounded to DIGITS significant digits; the spec refers to them by name.
 */
function pageData(spec: Json, k: number): Json {
  const names = new Map<unknown[], string>();
  const datasets: Record<string, unknown[]> = {};
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const out: Json = {};
    for (const [key, x] of Object.entries(v)) {
      if (key === 'data' && isObject(x) && Array.isArray(x.values)) {
        let name = names.get(x.values);
        if (name === undefined) {
          name = `rows_${names.size}`; // not data_N: vega-lite names its own data sets so
          names.set(x.values, name);
          datasets[name] = (x.values as unknown[])
            .filter((_, i) => i % k === 0)
            .map((row: unknown) => (isObject(row) ? Object.fromEntries(Object.entries(row).map(([f, y]) => [f, round(y)])) : row));
        }
        const { values: _values, ...rest } = x;
        out[key] = { ...rest, name };
      } else out[key] = walk(x);
    }
    return out;
  };
  const out = walk(spec) as Json;
  return { ...out, datasets: { ...((spec.datasets as Json | undefined) ?? {}), ...datasets } };
}

export interface InteractiveSpec {
  spec: Json;
  /** The same compiled to Vega (the page draws it without compiling vega-lite itself). */
  vega: Json;
  /** Data rows in the page's spec, and in the print spec. */
  rows: number;
  printRows: number;
  /** Time axes that zoom and pan. */
  zooms: number;
}

/** The page's spec of a figure from its print spec (as laid out, drawn at fitScale). */
export function interactiveSpec(printed: Json, fitScale: number, maxRows = MAX_ROWS): InteractiveSpec {
  const printRows = [...dataArrays(printed)].reduce((n, a) => n + a.length, 0);
  let spec = pageData(printed, Math.max(1, Math.ceil(printRows / maxRows)));
  const rows = Object.values(spec.datasets as Record<string, unknown[]>).reduce((n, a) => n + a.length, 0);
  spec = scaleLengths(spec, fitScale * PX_PER_PT) as Json;
  spec = addTooltips(spec) as Json;
  const zoomed = addZoom(spec);
  const vega = compile(zoomed.spec as unknown as TopLevelSpec, { logger: quietLogger }).spec as unknown as Json;
  return { spec: zoomed.spec, vega, rows, printRows, zooms: zoomed.zooms };
}
