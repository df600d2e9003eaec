// SVG → vector PDF with the fonts embedded (pdfkit draws, svg-to-pdfkit walks the SVG). The page is
// the figure's print size in pt; text is set in the TrueType files of the figures' font family.
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { registerFaces } from './fonts.js';

export async function svgToPdf(svg: string, widthPt: number, heightPt: number): Promise<Buffer> {
  const doc = new PDFDocument({
    size: [widthPt, heightPt],
    margin: 0,
    compress: true,
    info: { Creator: 'chronoeval', Producer: 'pdfkit' },
  });
  registerFaces(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  SVGtoPDF(doc, solidDashes(svg), 0, 0, {
    width: widthPt,
    height: heightPt,
    assumePt: true,
    // Arcs as quarter-circle Béziers (radius error 0.03 %, what cairo draws), not sixths: vega draws
    // every point mark with two arcs, and each Bézier also gets a length table.
    precision: 2,
    fontCallback: (_family: string, isBold: boolean) => (isBold ? 'bold' : 'regular'),
  });
  doc.end();
  return done;
}

/** svg-to-pdfkit rejects a dash pattern with a zero length; vega writes the solid pattern as "1,0". */
function solidDashes(svg: string): string {
  return svg.replace(/\sstroke-dasharray="([^"]*)"/g, (attr, list: string) =>
    list.split(/[\s,]+/).some((x) => Number(x) === 0) ? '' : attr,
  );
}
