// vega-lite spec → vega → SVG (headless, renderer 'none') → 300-DPI PNG by sharp (librsvg).
// The SVG is kept beside the PNG so that figures can be edited or re-rasterised.
import path from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../src/files/atomic-json.js';

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
  svg: string;
  width: number;
  height: number;
}

/** Write an SVG to `<dir>/<name>.svg` and its 300-DPI PNG to `<dir>/<name>.png`. */
export async function writeFigure(svg: string, dir: string, name: string): Promise<RenderedFigure> {
  const svgPath = path.join(dir, `${name}.svg`);
  const pngPath = path.join(dir, `${name}.png`);
  // A full disk leaves no half-written figure (nor a temp file) behind.
  const [{ png, width, height }] = await Promise.all([svgToPng(svg), writeFileAtomic(svgPath, svg, { fsync: false })]);
  await writeFileAtomic(pngPath, png, { fsync: false });
  return { name, svgPath, pngPath, svg, width, height };
}
