// The tables `chronoeval analyze` prints, in the report as they are printed (same rows, same
// order, from analysis/stats/summary-text.ts), so the page holds every one of them by construction.
import type { Stats } from '../stats/types.js';
import { bracketedLines, type TerminalTable } from '../stats/summary-text.js';
import { esc, table } from './html.js';

export const terminalTableId = (key: string): string => `table-terminal-${key}`;

export function terminalTableHtml(t: TerminalTable): string {
  if (t.rows.length === 0 && t.empty !== undefined)
    return `<p class="empty" id="${esc(terminalTableId(t.key))}"><strong>${esc(t.title)}</strong>: ${esc(t.empty)}</p>`;
  return table(terminalTableId(t.key), t.title, t.head, t.rows);
}

/** The printed lines after the tables (orders and windows proven by echo brackets, the truth check), as a list. */
export function terminalNotesHtml(stats: Stats): string {
  const lines = bracketedLines(stats)
    .map((l) => l.replace(/^- /, ''))
    .filter((l) => l.trim() !== '');
  return lines.length ? `<ul class="terminal-notes" id="terminal-notes">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '';
}
