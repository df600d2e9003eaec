// vega-lite spec → vega → SVG (headless, renderer 'none') fitted to a print width → 300-DPI PNG
// by sharp (librsvg) and a vector PDF. The SVG is kept beside them so that figures can be edited.
import path from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../src/files/atomic-json.js';
import { svgToPdf } from './pdf.js';
import { printSpec, scaledWidth, scaleWidths } from './print-layout.js';
import { useFontMetrics } from './text-measure.js';
import type { FigureStyle } from './style.js';

export const FIGURE_DPI = 300;

/**
 * vega-lite prints layout hints (e.g. about faceted independent scales) with console.warn; they
 * are not errors in our specs, so they go to the caller's callback (or nowhere), and real errors throw.
 */
function compileLogger(onWarning?: (msg: string) => void): unknown {
  const logger = {
    level(): number {
      return 0;
    },
    warn(...a: unknown[]) {
      onWarning?.(a.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
    error(...a: unknown[]): never {
      throw new Error(a.map(String).join(' '));
    },
  };
  return logger;
}

/** A numeric width the spec sets: the view's own (`name` null) or a width signal of a (sub)view. */
interface WidthKnob {
  name: string | null;
  base: number;
}

/**
 * The widths vega-lite compiled the spec's numeric view widths into: the top-level width, and a
 * constant signal per concatenated or faceted view (`concat_0_width`, `child_width`, `childWidth`…).
 * Setting them all to `scaleWidths`' values lays the view out as compiling the scaled spec would.
 */
function widthKnobs(compiled: vega.Spec): WidthKnob[] {
  const knobs: WidthKnob[] = typeof compiled.width === 'number' ? [{ name: null, base: compiled.width }] : [];
  for (const s of compiled.signals ?? []) {
    const sig = s as { name: string; value?: unknown; update?: unknown };
    if (/(^|_)(width|childWidth|child_width)$/.test(sig.name) && typeof sig.value === 'number' && sig.update === undefined)
      knobs.push({ name: sig.name, base: sig.value });
  }
  return knobs;
}

/** A compiled vega view and the widths that scale it. */
function compileView(spec: TopLevelSpec, onWarning?: (msg: string) => void): { view: vega.View; knobs: WidthKnob[] } {
  useFontMetrics();
  const compiled = compile(spec, { logger: compileLogger(onWarning) as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  return { view, knobs: widthKnobs(compiled) };
}

/** Lay the view out with every width at `factor` × its base (rounded and floored as `scaleWidths` does). */
async function layoutAt(view: vega.View, knobs: WidthKnob[], factor: number): Promise<void> {
  for (const k of knobs) {
    const w = scaledWidth(k.base, factor);
    if (k.name === null) view.width(w);
    else view.signal(k.name, w);
  }
  // With autosize 'pad' the view's bounds are only measured again when asked.
  view.resize();
  await view.runAsync();
}

/**
 * The width of the SVG the view would draw, from its layout alone: vega's headless renderers size
 * the drawing as the view's laid-out width plus its padding (`_viewWidth` is not typed; without it
 * the SVG is drawn and measured).
 */
async function laidOutWidth(view: vega.View): Promise<number> {
  const inner = (view as unknown as { _viewWidth?: unknown })._viewWidth;
  const pad = view.padding() as { left?: number; right?: number };
  if (typeof inner === 'number' && typeof pad.left === 'number' && typeof pad.right === 'number')
    return Math.max(0, inner + pad.left + pad.right);
  return svgSize(await view.toSVG()).width;
}

/** The root element's width and height (user units = pt: sharp and the PDF read them as 1/72 in). */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error('the SVG has no numeric width and height on its root element');
  return { width, height };
}

/** The same drawing at `widthPt` wide: the root's width and height change, the viewBox keeps the drawing's own units. */
function scaleSvgTo(svg: string, widthPt: number): string {
  const { width, height } = svgSize(svg);
  const h = Math.round(((height * widthPt) / width) * 100) / 100;
  return svg.replace(/<svg\b[^>]*>/, (root) =>
    root.replace(/(\s)width="[\d.]+"/, `$1width="${widthPt}"`).replace(/(\s)height="[\d.]+"/, `$1height="${h}"`),
  );
}

/** Widths within this share of the target need no further search. */
const FIT_TOLERANCE = 0.015;
const FIT_RENDERS = 8;

/**
 * Render a spec at the style's print width. Axes, legends and titles take a fixed room, so the panel
 * widths are searched (one factor for all, secant steps on the measured width) until the drawing is
 * just under the target; the SVG is then scaled up by at most the tolerance, so text is never printed
 * smaller than the style's sizes unless the fixed room alone is wider than the page.
 */
export async function specToPrintSvg(
  spec: TopLevelSpec,
  style: FigureStyle,
  onWarning?: (msg: string) => void,
): Promise<{ svg: string; widthPt: number; heightPt: number; fitScale: number; spec: Record<string, unknown> }> {
  const laid = printSpec(spec as unknown as Record<string, unknown>, style);
  const target = style.widthPt;
  // The spec is compiled and its data flow built once; each try only sets the width signals and
  // lays the view out again. The SVG is drawn once, at the factor kept.
  const { view, knobs } = compileView(laid as unknown as TopLevelSpec, onWarning);
  try {
    let at = NaN;
    const best = await searchFit(target, async (factor) => {
      await layoutAt(view, knobs, (at = factor));
      return laidOutWidth(view);
    });
    if (best.factor !== at) await layoutAt(view, knobs, best.factor);
    const drawn = await view.toSVG();
    const svg = scaleSvgTo(drawn, target);
    // The spec as laid out (the report's interactive figure draws it, scaled by fitScale).
    return {
      svg,
      widthPt: target,
      heightPt: svgSize(svg).height,
      fitScale: target / svgSize(drawn).width,
      spec: scaleWidths(laid, best.factor),
    };
  } finally {
    view.finalize();
  }
}

/** The panel-width factor whose drawing is widest without passing `target` (else the narrowest tried), and its width. */
async function searchFit(target: number, widthAt: (factor: number) => Promise<number>): Promise<{ factor: number; w: number }> {
  type Try = { factor: number; w: number };
  const measure = async (factor: number): Promise<Try> => ({ factor, w: await widthAt(factor) });
  const aim = target * (1 - FIT_TOLERANCE / 2);
  const tries = [await measure(1)];
  const fits = (t: { w: number }): boolean => t.w <= target && t.w >= target * (1 - FIT_TOLERANCE);
  // The widest drawing that is not wider than the page; else the narrowest.
  const bestOf = (): Try => tries.filter((t) => t.w <= target).sort((a, b) => b.w - a.w)[0] ?? [...tries].sort((a, b) => a.w - b.w)[0]!;
  // Three tries at shrinking factors with one width: the width is set by something the factor does
  // not scale (a title, a legend, axis labels), and further tries would not move it.
  const flat = (): boolean => {
    const above = tries.filter((t) => t.w > target).sort((a, b) => b.factor - a.factor);
    return above.length >= 3 && above.slice(-3).every((t) => Math.abs(t.w - above[above.length - 1]!.w) < 0.5);
  };
  while (!tries.some(fits) && tries.length < FIT_RENDERS && !flat()) {
    // Axis titles and legends make the width flat over stretches of the factor: step boldly until
    // the aim is bracketed, then interpolate, halving whenever the interpolation would not shrink the bracket.
    // On a flat stretch, the try nearest the other side bounds the bracket.
    const below = tries.filter((t) => t.w <= aim).sort((x, y) => y.w - x.w || y.factor - x.factor)[0];
    const above = tries.filter((t) => t.w > aim).sort((x, y) => x.w - y.w || x.factor - y.factor)[0];
    let next: number;
    if (below && above) {
      const lerp = below.factor + ((aim - below.w) * (above.factor - below.factor)) / (above.w - below.w);
      const mid = (below.factor + above.factor) / 2;
      const inside =
        Math.abs(lerp - below.factor) > 0.05 * Math.abs(above.factor - below.factor) &&
        Math.abs(lerp - above.factor) > 0.05 * Math.abs(above.factor - below.factor);
      next = tries.length % 2 === 0 && inside ? lerp : mid;
    } else if (above) {
      // Still too wide: extrapolate along the last two tries when the width moved between them
      // (within a bold step either way), else take the bold step.
      const [a, b] = tries.filter((t) => t.w > aim).sort((x, y) => x.factor - y.factor);
      const slope = a && b && b.factor > a.factor ? (b.w - a.w) / (b.factor - a.factor) : 0;
      const bold = above.factor * Math.min(aim / above.w, 0.6);
      next = slope > 0 ? Math.min(0.95 * a!.factor, Math.max(0.3 * a!.factor, a!.factor - (a!.w - aim) / slope)) : bold;
    } else next = below!.factor * Math.max(aim / below!.w, 1.25);
    next = Math.max(0.02, next);
    if (tries.some((t) => Math.abs(t.factor - next) < 1e-3)) break;
    tries.push(await measure(next));
  }
  return bestOf();
}

/** zlib level of the PNGs: lossless at any level; 6 took 1.3–1.7× as long as this for ~7 % smaller files. */
const PNG_COMPRESSION = 3;

/**
 * Rasterise an SVG at 300 DPI. sharp reads SVG user units as 1/72 inch, so density 300 scales
 * by 300/72; `withDensity` makes libvips write the PNG pHYs chunk (11811 px/m) and EXIF DPI.
 * librsvg and the encoder run on libuv's thread pool, so the caller may build the next SVG meanwhile.
 */
async function svgToPng(svg: string, compressionLevel = PNG_COMPRESSION): Promise<{ png: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svg), { density: FIGURE_DPI })
    .withDensity(FIGURE_DPI)
    .png({ compressionLevel })
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

export interface RenderedFigure {
  name: string;
  svgPath: string;
  pngPath: string;
  /** null when no PDF was written: pdfError says why (or bench/baselines/figures-reread, the pipeline before PDFs). */
  pdfPath: string | null;
  pdfError?: string;
  svg: string;
  width: number;
  height: number;
}

/**
 * Write an SVG to `<dir>/<name>.svg`, its 300-DPI PNG to `<dir>/<name>.png` and its PDF to
 * `<dir>/<name>.pdf`. A PDF that cannot be made (no TrueType font to embed) costs only the PDF.
 */
export async function writeFigure(svg: string, dir: string, name: string): Promise<RenderedFigure> {
  const svgPath = path.join(dir, `${name}.svg`);
  const pngPath = path.join(dir, `${name}.png`);
  const size = svgSize(svg);
  // The PNG is rasterised on the thread pool while the PDF is drawn here.
  const pngDone = svgToPng(svg);
  const pdf = await svgToPdf(svg, size.width, size.height).then(
    (buf) => ({ buf, error: null }),
    (e: unknown) => ({ buf: null, error: e instanceof Error ? e.message : String(e) }),
  );
  const [{ png, width, height }] = await Promise.all([pngDone, writeFileAtomic(svgPath, svg, { fsync: false })]);
  // A full disk leaves no half-written figure (nor a temp file) behind.
  await writeFileAtomic(pngPath, png, { fsync: false });
  const pdfPath = pdf.buf ? path.join(dir, `${name}.pdf`) : null;
  if (pdfPath && pdf.buf) await writeFileAtomic(pdfPath, pdf.buf, { fsync: false });
  return { name, svgPath, pngPath, pdfPath, ...(pdf.error ? { pdfError: pdf.error } : {}), svg, width, height };
}
