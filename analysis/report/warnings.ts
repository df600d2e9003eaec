// Everything a reader must know before trusting the numbers: lost events, sources without
// values (warming, unsynced, ...), torn or damaged input files, figures that could not be drawn.
import type { Stats } from '../stats/types.js';
import type { FigureOutcome } from '../figures/index.js';
import { sourceHealthWarnings } from './source-health.js';

export function collectWarnings(stats: Stats, figures: FigureOutcome[]): string[] {
  // A source that was never ok comes first: it was not measuring at that node.
  const out: string[] = sourceHealthWarnings(stats);
  const analysis = stats.inputs.warnings;
  // The analysis' own warnings come first; ours only add what they do not already mention.
  const mentioned = (...words: string[]): boolean => analysis.some((w) => words.every((x) => w.includes(x)));
  out.push(...analysis);
  for (const f of stats.inputs.files) {
    if (mentioned(f.path)) continue;
    if (f.torn_tail) out.push(`${f.path}: the last line was torn (file did not end with a newline); that partial row was skipped.`);
    if (f.skipped_rows > 0 && !(f.torn_tail && f.skipped_rows === 1))
      out.push(`${f.path}: ${f.skipped_rows} row(s) skipped as unreadable.`);
  }
  for (const w of stats.delivery.workers) {
    if (w.lost > 0)
      out.push(
        `worker ${w.node} lost ${w.lost} of ${stats.delivery.events_sent} events${w.lost_ratio.share !== null ? ` (${(100 * w.lost_ratio.share).toFixed(3)} %)` : ''}` +
          `${w.lost_at_socket ? `; up to ${w.lost_at_socket} dropped by the kernel at its socket (receive buffer full, ${w.kernel_drops} drops in all)` : ''}.`,
      );
    else if (w.kernel_drops)
      out.push(
        `worker ${w.node}: the kernel dropped ${w.kernel_drops} datagrams at its socket (receive buffer full), no run event was lost.`,
      );
    if (w.duplicates > 0) out.push(`worker ${w.node} logged ${w.duplicates} duplicate row(s) (first row used).`);
    if (w.unknown_events > 0)
      out.push(`worker ${w.node} has ${w.unknown_events} row(s) for events the coordinator never logged (not used).`);
  }
  for (const r of stats.readings) {
    if (r.role === 'worker' && r.node === null) continue; // all workers pooled: each worker is listed
    const notOk = Object.entries(r.status_counts).filter(([s]) => s !== 'ok');
    if ((r.empty > 0 || notOk.length > 0) && !mentioned(r.source, r.node ?? 'coordinator')) {
      const statuses = notOk.map(([s, n]) => `${s || '(blank status)'} on ${n}`).join(', ');
      const parts = [
        statuses ? `status ${statuses} of ${r.rows} readings` : '',
        r.empty > 0 ? `${r.empty} of ${r.rows} readings had no value (not used)` : '',
      ].filter(Boolean);
      out.push(`source ${r.source} at ${r.node ?? 'coordinator'}: ${parts.join('; ')}.`);
    }
  }
  for (const f of figures) if (f.status === 'failed') out.push(`figure ${f.def.name} could not be rendered: ${f.reason}`);
  // Deduplicate (analysis warnings may restate ours) while keeping order.
  return [...new Set(out)];
}
