// The warning for a source that was never ok at a place (docs/metrics.md §Source health), from
// stats.json's source_health: the analysis warns with it and the report lists it first.
import type { SourceHealthEntry } from './types.js';

/** "warming 300, ok 2": statuses by count, most first. */
export function statusList(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([s, n]) => `${s || '(blank)'} ${n}`)
    .join(', ');
}

/** One warning per place × source that was never ok (stats.json, the text summary and the report list them). */
export function neverOkWarnings(entries: readonly SourceHealthEntry[]): string[] {
  return entries
    .filter((e) => e.never_ok === true)
    .map((e) => {
      const r = e.readings;
      const s = e.sampling;
      const top = s?.reasons[0];
      const parts = [
        r && r.rows > 0
          ? `its ${r.rows} readings were ${statusList(r.status_counts)} (${r.availability.count} with a value)`
          : 'it stamped no event',
        s
          ? `its sync log has ${statusList(s.status_counts)}${top ? `, most often "${top.reason}" (${top.count}×)` : ''}`
          : 'no sync log rows',
      ];
      return `source ${e.source} at ${e.node} was never ok: ${parts.join('; ')}.`;
    });
}
