// Tiny HTML helpers: escaping and tables. Everything in the report is escaped text; the only raw
// HTML is what these helpers build.

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A cell: plain value (escaped) or { html } already built by these helpers. */
export type Cell = string | number | null | { html: string; title?: string };

const NO_DATA = '<span class="na" title="no data: not counted, so not shown">—</span>';

function cell(c: Cell, tag: 'td' | 'th'): string {
  if (c === null) return `<${tag}>${NO_DATA}</${tag}>`;
  if (typeof c === 'object') return `<${tag}${c.title ? ` title="${esc(c.title)}"` : ''}>${c.html}</${tag}>`;
  return `<${tag}${typeof c === 'number' ? ' class="num"' : ''}>${esc(c)}</${tag}>`;
}

export function table(id: string, caption: string, head: string[], rows: Cell[][]): string {
  if (rows.length === 0) return `<p class="empty" id="${esc(id)}">${esc(caption)}: no rows.</p>`;
  return (
    `<table id="${esc(id)}" class="summary"><caption>${esc(caption)}</caption>` +
    `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => cell(c, i === 0 ? 'th' : 'td')).join('')}</tr>`).join('\n')}</tbody></table>`
  );
}

/** Share in [0, 1] → "12.345 %" (null stays null: never shown as 0). */
export function pctCell(share: number | null | undefined, count?: number, total?: number): Cell {
  if (share === null || share === undefined) return null;
  const p = share * 100;
  const txt = p === 0 || p === 100 ? `${p} %` : p < 0.01 || p > 99.99 ? `${p.toPrecision(4)} %` : `${p.toFixed(2)} %`;
  return count !== undefined && total !== undefined ? { html: esc(txt), title: `${count} of ${total}` } : txt;
}

/** ns → ms text with 3 significant decimals where small. */
export function msCell(ns: number | null | undefined): Cell {
  if (ns === null || ns === undefined) return null;
  const v = ns / 1e6;
  if (v === 0) return '0 ms';
  return `${Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3)} ms`;
}
