// The report's source health: one row per place × source (never pooled, so one worker's dead
// source is not averaged away), and a warning for every source that was never ok. Read from
// stats.json `source_health` only (docs/metrics.md §Source health).
import type { HealthReason, HealthSampling, SourceHealthEntry, Stats } from '../stats/types.js';
import { esc, pctCell, table, type Cell } from './html.js';
import { neverOkWarnings, statusList } from '../stats/health-warnings.js';

/** The statuses every row shows a share of (a status outside them is summed in "other"). */
const STATUSES = ['ok', 'degraded', 'warming', 'stale', 'unsynced', 'error'] as const;
/** Reasons written in a cell; the rest are in its tooltip. */
const REASONS_SHOWN = 3;

const place = (e: SourceHealthEntry): string => (e.role === 'coordinator' ? 'coordinator' : e.node);

/** Seconds with ms precision: "0 s", "2.559 s". */
function seconds(ns: number | null): string | null {
  if (ns === null) return null;
  return ns === 0 ? '0 s' : `${(ns / 1e9).toFixed(3)} s`;
}

const reasonText = (r: HealthReason): string => `${r.status || '(blank)'}: ${r.reason} ×${r.count}`;

function reasonsCell(s: HealthSampling | null): Cell {
  if (!s || s.reasons.length === 0) return s ? 'none logged' : null;
  const shown = s.reasons.slice(0, REASONS_SHOWN).map(reasonText);
  const more = s.reason_kinds - shown.length;
  const title = [
    ...s.reasons.map((r) => `${reasonText(r)} (e.g. "${r.example}")`),
    ...(s.reasons_other > 0 ? [`${s.reasons_other} more sample(s) of ${s.reason_kinds - s.reasons.length} other kind(s)`] : []),
  ].join('\n');
  return { html: esc(shown.join('; ') + (more > 0 ? `; … ${more} more kind(s)` : '')), title };
}

function verdictCell(e: SourceHealthEntry): Cell {
  if (e.never_ok === true)
    return { html: '<strong>NEVER OK</strong>', title: 'no reading (or, without readings, no sample) had status ok' };
  if (e.never_ok === null) return e.readings || e.sampling ? 'no status' : 'absent';
  const a = e.readings?.availability.share;
  return a !== undefined && a !== null && a < 1 ? 'ok at times' : 'ok';
}

/** The "Source health" table (or why there is none). */
export function sourceHealthTable(stats: Stats): string {
  const entries = stats.source_health;
  if (!entries) return '<p>Not in this stats.json (analysed by an older version): run <code>chronoeval analyze</code> again.</p>';
  const other = entries.some(
    (e) => e.readings && Object.keys(e.readings.status_counts).some((s) => !(STATUSES as readonly string[]).includes(s)),
  );
  const rows: Cell[][] = entries.map((e) => {
    const r = e.readings;
    const s = e.sampling;
    const share = (st: string): Cell =>
      r ? pctCell(r.rows > 0 ? (r.status_counts[st] ?? 0) / r.rows : null, r.status_counts[st] ?? 0, r.rows) : null;
    const otherN = r
      ? Object.entries(r.status_counts).reduce((a, [k, n]) => a + ((STATUSES as readonly string[]).includes(k) ? 0 : n), 0)
      : 0;
    return [
      `${e.source} @ ${place(e)}`,
      verdictCell(e),
      r ? r.rows : null,
      r ? pctCell(r.availability.share, r.availability.count, r.availability.total) : null,
      ...STATUSES.map(share),
      ...(other ? [r ? pctCell(r.rows > 0 ? otherN / r.rows : null, otherN, r.rows) : null] : []),
      r ? (r.time_to_first_ok_ns === null ? (r.rows > 0 ? 'never' : null) : seconds(r.time_to_first_ok_ns)) : null,
      r ? r.before_first_ok : null,
      s ? s.samples : null,
      s ? statusList(s.status_counts) : null,
      s ? (s.time_to_first_ok_ns === null ? (s.first_ok_rel_ns === null ? 'never' : null) : seconds(s.time_to_first_ok_ns)) : null,
      reasonsCell(s),
    ];
  });
  return table(
    'table-source-health',
    "Per node and source (never pooled): shares of the recorded events' readings by status, and the sync log's samples and reasons (numbers in a reason are written #; hover for examples). — = the node has no such readings or samples",
    [
      'source @ node',
      'verdict',
      'readings',
      'with a value',
      ...STATUSES,
      ...(other ? ['other'] : []),
      'first ok after (from first reading)',
      'readings before first ok',
      'samples',
      'sample statuses',
      "first ok sample after (from node's first sample)",
      'most frequent reasons (sync log)',
    ],
    rows,
  );
}

/** One line per place × source that was never ok, first in the warnings: it was not measuring. */
export function sourceHealthWarnings(stats: Stats): string[] {
  return neverOkWarnings(stats.source_health ?? []);
}
