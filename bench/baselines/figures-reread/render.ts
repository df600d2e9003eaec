// vega-lite spec → vega → SVG (headless, renderer 'none') → 300-DPI PNG by sharp (librsvg).
// The SVG is kept beside the PNG so that figures can be edited or re-rasterised.
import path from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../../src/files/atomic-json.js';

export const FIGURE_DPI = 300;

/** Compile a vega-lite spec and render it to an SVG string without a browser. */
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

export async function specToSvg(spec: TopLevelSpec, onWarning?: (msg: string) => void): Promise<string> {
  const compiled = compile(spec, { logger: compileLogger(onWarning) as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterise an SVG at 300 DPI. sharp reads SVG user units as 1/72 inch, so density 300 scales
 * by 300/72; `withDensity` makes libvips write the PNG pHYs chunk (11811 px/m) and EXIF DPI.
 */
export async function svgToPng(svg: string): Promise<{ png: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svg), { density: FIGURE_DPI })
    .withDensity(FIGURE_DPI)
    .png({ compressionLevel: 6 })
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

export interface RenderedFigure {
  name: string;
  svgPath: string;
  pngPath: string;
  svg: string;
  width: number;
  height: number;
}

/** Render one spec to `<dir>/<name>.svg` and `<dir>/<name>.png`. */
export async function renderFigure(spec: TopLevelSpec, dir: string, name: string): Promise<RenderedFigure> {
  const svg = await specToSvg(spec);
  const { png, width, height } = await svgToPng(svg);
  const svgPath = path.join(dir, `${name}.svg`);
  const pngPath = path.join(dir, `${name}.png`);
  // A full disk leaves no half-written figure (nor a temp file) behind.
  await writeFileAtomic(svgPath, svg, { fsync: false });
  await writeFileAtomic(pngPath, png, { fsync: false });
  return { name, svgPath, pngPath, svg, width, height };
}
