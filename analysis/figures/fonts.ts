// The TrueType files of the figures' font family (style.ts FONT), for embedding in PDFs and for
// measuring text; the same files librsvg finds through fontconfig for the PNGs.
import { existsSync } from 'node:fs';
import * as fontkit from 'fontkit';

/** Regular and bold faces, in the order of style.ts FONT. */
const FONT_FILES = [
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
  ['/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'],
] as const;

let found: { regular: string; bold: string } | null | undefined;

/** The first installed family's faces; null when none is installed. */
export function findFontFiles(): { regular: string; bold: string } | null {
  if (found === undefined) {
    const f = FONT_FILES.find(([r, b]) => existsSync(r) && existsSync(b));
    found = f ? { regular: f[0], bold: f[1] } : null;
  }
  return found;
}

export function fontFiles(): { regular: string; bold: string } {
  const f = findFontFiles();
  if (!f)
    throw new Error(
      `figures need DejaVu Sans or Liberation Sans, and neither is installed (looked for ${FONT_FILES.map((x) => x[0]).join(', ')}); install fonts-dejavu-core`,
    );
  return f;
}

let faces: { regular: fontkit.Font; bold: fontkit.Font } | undefined;

/**
 * Register the figures' faces in a pdfkit document as 'regular' and 'bold', parsed once per process
 * (fontkit): parsing two TrueType files for every PDF cost about as much as drawing a small
 * figure's PDF. Each document still makes its own subset. Throws like fontFiles() without them.
 */
export function registerFaces(doc: PDFKit.PDFDocument): void {
  if (!faces) {
    const f = fontFiles();
    faces = { regular: fontkit.openSync(f.regular), bold: fontkit.openSync(f.bold) };
  }
  // pdfkit takes a parsed fontkit font as a source (its types list only files and buffers).
  doc.registerFont('regular', faces.regular as unknown as Buffer);
  doc.registerFont('bold', faces.bold as unknown as Buffer);
}
