// Shared look of every figure: Okabe-Ito colours (colour-blind safe) paired with distinct shapes
// and dash patterns so that series stay apart in greyscale print, and a font every machine with
// fonts-dejavu-core has (no network fonts).

export const FONT = 'DejaVu Sans, Liberation Sans, sans-serif';

/** Okabe & Ito (2008), ordered so neighbours differ in lightness as well as hue. */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];

// 'wedge' and 'stroke' draw as a sliver and a bare line at print size: the last two are side triangles.
export const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'];

/** Dash patterns in pt, short enough that two periods fit a legend glyph at print size. */
export const DASHES: number[][] = [
  [1, 0],
  [4, 2],
  [1.5, 1.5],
  [5, 2, 1.5, 2],
  [3, 3],
  [1, 2.5],
  [7, 2],
  [2.5, 1, 1, 1],
];

/** Three-way outcome colours: dark / mid / light in greyscale. */
export const OUTCOME = {
  good: '#0072B2',
  bad: '#D55E00',
  unsure: '#F0E442',
  unknown: '#999999',
} as const;

/** Print widths of the two common journal layouts: one column 3.5 in, full page 7.16 in (1 in = 72 pt). */
export const FIGURE_WIDTH_PT = { single: 3.5 * 72, double: 7.16 * 72 } as const;
export type FigureSize = keyof typeof FIGURE_WIDTH_PT;
export const FIGURE_SIZES = Object.keys(FIGURE_WIDTH_PT) as FigureSize[];

/** How a figure is laid out for print: its final width, whether it keeps its title. */
export interface FigureStyle {
  size: FigureSize;
  widthPt: number;
  /** false: no figure title or subtitle (the paper's caption says it); panel titles stay. */
  titles: boolean;
}

export function figureStyle(size: FigureSize = 'double', titles = true): FigureStyle {
  return { size, widthPt: FIGURE_WIDTH_PT[size], titles };
}

/**
 * Text sizes in pt at the printed width. The renderer fits each figure to its width, so these are
 * the sizes on paper; none is below 7 pt, the usual journal minimum.
 */
export const FONT_PT = { label: 7, axisTitle: 7.5, legendTitle: 7.5, panelTitle: 8, title: 9, subtitle: 7 } as const;

/** Lines and markers thick enough to survive a 300-DPI greyscale print. */
export const STROKE_PT = { line: 1.2, rule: 0.8, grid: 0.4, marker: 0.8 } as const;
export const MARKER_AREA = 22;

/**
 * Markers a binned line carries at most: one per bin on a long run puts them closer than their own
 * size, a thick band that hides the line's dash (and costs every renderer thousands of marks).
 */
export const MARKERS_PER_LINE = 40;

/** Every how many bins a line of `bins` points carries a marker (its first bin always does). */
export function markerStride(bins: number): number {
  return Math.max(1, Math.ceil(bins / MARKERS_PER_LINE));
}

/** The same config block for every spec (vega-lite `config`); the renderer replaces it with the print style's. */
export function baseConfig(style: FigureStyle = figureStyle()): Record<string, unknown> {
  const single = style.size === 'single';
  return {
    font: FONT,
    aria: false, // no per-mark aria-label text: keeps SVGs small
    background: 'white',
    padding: 4,
    view: { stroke: '#999999', continuousWidth: 220, continuousHeight: 120 },
    axis: {
      grid: true,
      labelLimit: 0,
      labelFontSize: FONT_PT.label,
      titleFontSize: FONT_PT.axisTitle,
      titleFontWeight: 'normal',
      titlePadding: 3,
      labelPadding: 2,
      tickSize: 3,
      gridColor: '#dddddd',
      gridWidth: STROKE_PT.grid,
      labelColor: '#222222',
      titleColor: '#111111',
      labelOverlap: true,
    },
    legend: {
      labelFontSize: FONT_PT.label,
      titleFontSize: FONT_PT.legendTitle,
      titleFontWeight: 'bold',
      symbolStrokeWidth: STROKE_PT.line,
      symbolSize: 64, // area: an 8 pt glyph, long enough to show a dash pattern
      labelLimit: 0,
      // One column is too narrow for a legend beside the plot.
      ...(single ? { orient: 'bottom', direction: 'vertical' } : {}),
    },
    header: { labelFontSize: FONT_PT.panelTitle, titleFontSize: FONT_PT.panelTitle },
    title: {
      fontSize: FONT_PT.title,
      anchor: 'start',
      fontWeight: 'bold',
      subtitleFontSize: FONT_PT.subtitle,
      subtitleColor: '#444444',
      offset: 3,
    },
    text: { fontSize: FONT_PT.label },
    line: { strokeWidth: STROKE_PT.line },
    rule: { strokeWidth: STROKE_PT.rule },
    // Element `opacity` makes librsvg composite every mark on its own full-size surface (minutes per
    // figure); fill/stroke opacity is drawn directly. So: opacity 1, and fillOpacity where needed.
    mark: { opacity: 1 },
    point: { size: MARKER_AREA, strokeWidth: STROKE_PT.marker, opacity: 1 },
    circle: { opacity: 1 },
    square: { opacity: 1 },
  };
}

/** Scale that maps a list of names to colours. */
export function colourScale(domain: string[]): { domain: string[]; range: string[] } {
  return { domain, range: domain.map((_, i) => OKABE_ITO[i % OKABE_ITO.length]!) };
}
export function shapeScale(domain: string[]): { domain: string[]; range: string[] } {
  return { domain, range: domain.map((_, i) => SHAPES[i % SHAPES.length]!) };
}
export function dashScale(domain: string[]): { domain: string[]; range: number[][] } {
  return { domain, range: domain.map((_, i) => DASHES[i % DASHES.length]!) };
}

/** Ratio share → percent, null stays null. */
export function pct(share: number | null | undefined): number | null {
  return share === null || share === undefined ? null : share * 100;
}
