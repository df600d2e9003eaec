// One figure in the report: the interactive view (its spec inline as JSON, drawn by the page
// script), a static image as the fallback (a screen-size PNG inside <noscript>, put back by the
// script when vega fails; the SVG itself when the page is static), the caption, and links to the PNG, SVG and PDF files beside the page.
import type { FigureOutcome } from '../figures/index.js';
import { esc } from './html.js';
import { interactiveSpec, MAX_ROWS } from './interactive-spec.js';

/** JSON inside a <script> element: "<" escaped so no "</script" or "<!--" can end or alter it. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function figureHtml(o: FigureOutcome, figDir: string, interactive: boolean, fallbackPng?: string): string {
  const id = `fig-${o.def.name}`;
  if (o.status !== 'rendered') {
    const what = o.status === 'skipped' ? 'Not drawn' : 'Could not be rendered';
    return `<section class="figure-missing" id="${esc(id)}"><h3>${esc(o.def.title)}</h3><p><em>${what}:</em> ${esc(o.reason)}</p></section>`;
  }
  const files = [
    { label: 'PNG (300 DPI)', href: `${figDir}/${o.def.name}.png` },
    { label: 'SVG', href: `${figDir}/${o.def.name}.svg` },
    ...(o.figure.pdfPath ? [{ label: 'PDF', href: `${figDir}/${o.def.name}.pdf` }] : []),
  ];
  // Shown at its print size (inches × 96 CSS px: 7 pt text reads as 9.3 px), up to 1.4× on wide screens.
  const w = Math.round((o.figure.width / 300) * 96);
  const img = (src: string) =>
    `<img src="${src}" alt="${esc(o.def.title)}" width="${w}" style="width:100%;max-width:${Math.round(w * 1.4)}px">`;
  const svgSrc = () => `data:image/svg+xml;base64,${Buffer.from(o.figure.svg).toString('base64')}`;
  const notes = [...o.notes];
  let view: string | null = null;
  if (interactive && o.spec) {
    // A spec the page cannot use (vega-lite refuses the interactive variant) costs the interaction, not the figure.
    let page: ReturnType<typeof interactiveSpec> | null = null;
    try {
      page = interactiveSpec(o.spec.spec, o.spec.fitScale);
    } catch (e) {
      notes.push(`Static here: the interactive figure could not be built (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (page) {
      if (page.rows < page.printRows)
        notes.push(
          `The page draws ${page.rows} of the print figure's ${page.printRows} data rows (at most ${MAX_ROWS} per figure); the files hold all.`,
        );
      if (page.zooms > 0) notes.push('Time axes zoom with the mouse wheel and pan by dragging; double-click resets.');
      view =
        `<div class="fig-box" data-spec="spec-${esc(o.def.name)}" data-rows="${page.rows}"><div class="fig-view"></div>` +
        `<p class="fig-error" role="alert" hidden></p><noscript>${img(fallbackPng ?? svgSrc())}</noscript></div>` +
        `<script type="application/json" id="spec-${esc(o.def.name)}">${scriptJson(page.vega)}</script>`;
    }
  }
  view ??= `<div class="fig-box fig-static">${img(svgSrc())}</div>`;
  const links = files.map((f) => `<a href="${esc(f.href)}" download>${esc(f.label)}</a>`).join(' · ');
  const noteText = notes.length ? ` <span class="notes">${esc(notes.join(' '))}</span>` : '';
  return (
    `<figure id="${esc(id)}">${view}` +
    `<figcaption><strong>${esc(o.def.title)}.</strong> ${esc(o.def.howToRead)}${noteText} ` +
    `<span class="downloads">Download: ${links} (<code>${esc(files.map((f) => f.href).join(', '))}</code>).</span></figcaption></figure>`
  );
}
