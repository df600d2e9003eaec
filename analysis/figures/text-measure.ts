// vega lays out text by its width. Without node-canvas it guesses 0.8 em a character, which leaves
// axes and legends far wider than their text and makes print widths unreachable. vega lets a
// caller supply the measure (vega-scenegraph `textMetrics.width`, as vl-convert does): here the
// advance widths of the very font files the PNG and PDF are drawn with, read by pdfkit (fontkit).
import PDFDocument from 'pdfkit';
import * as vega from 'vega';
import { findFontFiles, registerFaces } from './fonts.js';

interface TextItem {
  fontSize?: number | string | null;
  fontWeight?: string | number | null;
  limit?: number;
}

let installed = false;

/** Idempotent; without the font files vega keeps its own estimate. */
export function useFontMetrics(): void {
  if (installed) return;
  installed = true;
  if (!findFontFiles()) return;
  const doc = new PDFDocument({ autoFirstPage: false });
  registerFaces(doc);
  const cache = new Map<string, number>();
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const s = typeof text === 'string' || typeof text === 'number' ? String(text).trim() : '';
    if (size <= 0 || !s) return 0;
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    const key = `${bold ? 'b' : 'r'}${size}|${s}`;
    let w = cache.get(key);
    if (w === undefined) {
      w = doc
        .font(bold ? 'bold' : 'regular')
        .fontSize(size)
        .widthOfString(s);
      cache.set(key, w);
    }
    // Text with a limit is drawn truncated to it (vega searches the cut with this same measure).
    return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
}
