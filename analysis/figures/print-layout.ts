// A figure's spec laid out for print: the style's config, titles on or off, one column of panels
// at single-column width, and every panel width scaled by one factor (the renderer searches it).
import { FONT_PT, baseConfig, type FigureStyle } from './style.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function mapTree(v: unknown, f: (o: Json) => Json): unknown {
  if (Array.isArray(v)) return v.map((x) => mapTree(x, f));
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === 'data' ? x : mapTree(x, f);
  return f(out);
}

/** Panel heights at single-column width, as a share of the figure's own (its panels are stacked there). */
const SINGLE_HEIGHT = 0.6;

/** Average advance of a DejaVu Sans character, in em (bold is wider); errs wide so lines fit. */
const EM_PER_CHAR = { regular: 0.6, bold: 0.68 };

/** Break a line at spaces into lines of at most `max` characters (a longer word stays whole). */
export function wrapText(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** A view title's text and subtitle wrapped to the page width: one long line would widen the figure past it. */
function wrapTitle(title: Json, widthPt: number): Json {
  // A title given as lines keeps its breaks, and each line is wrapped too.
  const fit = (v: unknown, pt: number, em: number): unknown => {
    const max = Math.max(12, Math.floor(widthPt / (pt * em)));
    if (typeof v === 'string') return wrapText(v, max);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.flatMap((x: string) => wrapText(x, max));
    return v;
  };
  return {
    ...title,
    text: fit(title.text, FONT_PT.title, EM_PER_CHAR.bold),
    subtitle: fit(title.subtitle, FONT_PT.subtitle, EM_PER_CHAR.regular),
  };
}

/** Every view title wrapped to the room its view gets: the page, shared by the columns it sits in. */
function wrapTitles(o: Json, widthPt: number, single: boolean, top = true): Json {
  const out: Json = { ...o };
  // A panel's title starts at its plot's left edge, so stacked panels' titles line up whatever their axis labels.
  if (isObject(o.title) && 'text' in o.title) out.title = { ...wrapTitle(o.title, widthPt), ...(top ? {} : { frame: 'group' }) };
  const cols = Array.isArray(o.hconcat) ? o.hconcat.length : typeof o.columns === 'number' && Array.isArray(o.concat) ? o.columns : 1;
  // Side by side, each panel's axis and the legend take about a quarter of its share.
  // A panel's title starts after its axis labels.
  const room = single || cols <= 1 ? 0.7 * widthPt : (0.75 * widthPt) / cols;
  for (const key of ['hconcat', 'vconcat', 'concat', 'layer'] as const) {
    const children: unknown = o[key];
    if (Array.isArray(children)) out[key] = (children as unknown[]).map((c) => (isObject(c) ? wrapTitles(c, room, single, false) : c));
  }
  if (isObject(o.spec))
    out.spec = wrapTitles(o.spec, typeof o.columns === 'number' && !single ? (0.75 * widthPt) / o.columns : widthPt, single, false);
  return out;
}

/** The spec with the print style applied (a copy; data values are shared, not copied). */
export function printSpec(spec: Json, style: FigureStyle): Json {
  const laid = mapTree(wrapTitles(spec, style.widthPt, style.size === 'single'), (o) => {
    if (style.size !== 'single') return o;
    // 3.5 in leaves no room for panels side by side: one column, each panel at its own left edge
    // (aligned, one panel's long axis labels would push every other panel right).
    if ('hconcat' in o) {
      const { hconcat, ...rest } = o;
      return { ...rest, concat: hconcat, columns: 1, align: 'none' };
    }
    if (typeof o.columns === 'number' && ('facet' in o || 'concat' in o)) return { ...o, columns: 1 };
    // Stacked panels at full height would run past a page.
    if (typeof o.height === 'number' && !('type' in o)) return { ...o, height: Math.round(o.height * SINGLE_HEIGHT) };
    return o;
  }) as Json;
  laid.config = baseConfig(style);
  if (!style.titles) delete laid.title;
  return laid;
}

/** A view width of `base` scaled by `factor` (whole units, at least 20). */
export function scaledWidth(base: number, factor: number): number {
  return Math.max(20, Math.round(base * factor));
}

/** Every view's numeric width times `factor` (mark definitions, which carry a `type`, are left alone). */
export function scaleWidths(spec: Json, factor: number): Json {
  return mapTree(spec, (o) => (typeof o.width === 'number' && !('type' in o) ? { ...o, width: scaledWidth(o.width, factor) } : o)) as Json;
}
