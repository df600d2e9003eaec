// Shared look of every figure: Okabe-Ito colours (colour-blind safe) paired with distinct shapes
// and dash patterns so that series stay apart in greyscale print, and a font every machine with
// fonts-dejavu-core has (no network fonts).

export const FONT = 'DejaVu Sans, Liberation Sans, sans-serif';

/** Okabe & Ito (2008), ordered so neighbours differ in lightness as well as hue. */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];

export const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'wedge', 'stroke'];

export const DASHES: number[][] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [4, 4],
  [1, 3],
  [10, 2],
  [3, 1, 1, 1],
];

/** Three-way outcome colours: dark / mid / light in greyscale. */
export const OUTCOME = {
  good: '#0072B2',
  bad: '#D55E00',
  unsure: '#F0E442',
  unknown: '#999999',
} as const;

/** The same config block for every spec (vega-lite `config`). */
export function baseConfig(): Record<string, unknown> {
  return {
    font: FONT,
    aria: false, // no per-mark aria-label text: keeps SVGs small
    background: 'white',
    padding: 8,
    view: { stroke: '#999999', continuousWidth: 460, continuousHeight: 200 },
    axis: {
      grid: true,
      labelLimit: 0,
      labelFontSize: 10,
      titleFontSize: 11,
      titleFontWeight: 'normal',
      gridColor: '#e3e3e3',
      labelColor: '#222222',
      titleColor: '#111111',
      labelOverlap: true,
    },
    legend: { labelFontSize: 10, titleFontSize: 10, titleFontWeight: 'bold', symbolStrokeWidth: 1.5, labelLimit: 0 },
    header: { labelFontSize: 11, titleFontSize: 11 },
    title: { fontSize: 13, anchor: 'start', fontWeight: 'bold', subtitleFontSize: 10, subtitleColor: '#444444' },
    line: { strokeWidth: 1.6 },
    // Element `opacity` makes librsvg composite every mark on its own full-size surface (minutes per
    // figure); fill/stroke opacity is drawn directly. So: opacity 1, and fillOpacity where needed.
    mark: { opacity: 1 },
    point: { size: 28, strokeWidth: 1.2, opacity: 1 },
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
