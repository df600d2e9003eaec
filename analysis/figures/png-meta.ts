// Reads a PNG's pixel size (IHDR) and physical density (pHYs) straight from the chunks, so that
// tests can check the DPI without trusting the library that wrote it.

export interface PngMeta {
  width: number;
  height: number;
  /** pHYs pixels per unit; null when the chunk is absent. */
  ppuX: number | null;
  ppuY: number | null;
  /** 1 = metre, 0 = unknown (aspect ratio only). */
  unit: number | null;
  /** Dots per inch derived from px/m, rounded; null without a pHYs chunk in metres. */
  dpiX: number | null;
  dpiY: number | null;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function readPngMeta(buf: Buffer): PngMeta {
  if (buf.length < 33 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file (bad signature)');
  let off = 8;
  let width = -1;
  let height = -1;
  let ppuX: number | null = null;
  let ppuY: number | null = null;
  let unit: number | null = null;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = off + 8;
    if (data + len + 4 > buf.length) throw new Error(`PNG chunk ${type} at byte ${off} runs past the end of the file`);
    if (type === 'IHDR') {
      width = buf.readUInt32BE(data);
      height = buf.readUInt32BE(data + 4);
    }
    if (type === 'pHYs') {
      ppuX = buf.readUInt32BE(data);
      ppuY = buf.readUInt32BE(data + 4);
      unit = buf[data + 8]!;
    }
    if (type === 'IDAT' || type === 'IEND') break; // pHYs must come before IDAT
    off = data + len + 4;
  }
  if (width < 0) throw new Error('PNG has no IHDR chunk');
  const dpi = (p: number | null): number | null => (p === null || unit !== 1 ? null : Math.round(p * 0.0254));
  return { width, height, ppuX, ppuY, unit, dpiX: dpi(ppuX), dpiY: dpi(ppuY) };
}
