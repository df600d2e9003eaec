// The report's summary tables, each built from stats.json only (no number is computed here that
// stats.json does not already hold, except percentages of its own ratios).
import type { Stats } from '../stats/types.js';
import { headlineTruth } from '../stats/headline.js';
import { esc, msCell, pctCell, table, type Cell } from './html.js';
import { SELF_CONSISTENCY_COLUMNS, selfConsistencyCaption, selfConsistencyRows } from '../stats/summary-text.js';

/** Per source and worker: availability, coverage, violations, wrong orders, false window conflicts. */
export function perWorkerTable(stats: Stats): string {
  const truth = headlineTruth(stats);
  const rows: Cell[][] = stats.headline.flatMap((h) =>
    h.workers.map((w) => [
      `${h.source} @ ${w.node ?? 'all workers'}`,
      w.availability ? pctCell(w.availability.share, w.availability.count, w.availability.total) : null,
      w.coverage ? pctCell(w.coverage.share, w.coverage.count, w.coverage.total) : null,
      w.interval_violations ? w.interval_violations.count : null,
      w.interval_wrong_orders,
      w.window_false_conflicts,
      w.point_violations ? pctCell(w.point_violations.share, w.point_violations.count, w.point_violations.total) : null,
    ]),
  );
  return table(
    'table-per-worker',
    `Per worker (a wrong order or false window conflict is charged to the worker whose interval missed ${truth.noun})${truth.note ? `; ${truth.note}` : ''}`,
    [
      'source @ worker',
      'availability',
      'coverage',
      'interval violations',
      'wrong interval orders',
      'false window conflicts',
      'point violations',
    ],
    rows,
  );
}

export function headlineTable(stats: Stats): string {
  const truth = headlineTruth(stats);
  const w = stats.windows_ms.includes(100) ? 100 : stats.windows_ms[0];
  const rows: Cell[][] = stats.headline.map((h) => [
    h.source,
    h.bounded ? 'interval' : 'point',
    pctCell(h.point_violation_share),
    pctCell(h.interval_violation_share),
    pctCell(h.interval_proven_after_share),
    pctCell(h.ordering_point_wrong_share),
    pctCell(h.ordering_interval_proven_share),
    pctCell(h.ordering_interval_wrong_share),
    w === undefined ? null : pctCell(h.window_point_agree_share[String(w)]),
    w === undefined ? null : pctCell(h.window_interval_confident_agree_share[String(w)]),
    w === undefined ? null : pctCell(h.window_interval_conflict_share[String(w)]),
    pctCell(h.coverage_share),
    msCell(h.commit_wait_p50_ns),
  ]);
  return table(
    'table-headline',
    `Headline per clock source (— = not applicable or no data)${truth.note ? `; coverage: ${truth.note}` : ''}`,
    [
      'source',
      'kind',
      'causality violated (point)',
      'causality violated (interval)',
      'send→receive proven (interval)',
      'wrong order (point)',
      'order proven (interval)',
      'wrong order (interval)',
      `${w ?? '?'} ms windows: points agree`,
      `${w ?? '?'} ms: confident & agree`,
      `${w ?? '?'} ms: confident conflict`,
      `coverage of ${truth.noun}`,
      'commit wait p50',
    ],
    rows,
  );
}

export function deliveryTable(stats: Stats): string {
  const d = stats.delivery;
  const rows: Cell[][] = d.workers.map((w) => {
    const lat = w.latency_true ?? w.latency_local;
    return [
      w.node,
      w.received,
      w.lost,
      pctCell(w.lost_ratio.share, w.lost_ratio.count, w.lost_ratio.total),
      w.duplicates,
      w.unknown_events,
      w.latency_true ? 'true' : w.latency_local ? 'local clocks' : null,
      msCell(lat?.p50),
      msCell(lat?.p99),
      msCell(lat?.max),
      // from the kernel's send stamp, in the same frame as the columns before (true or local clocks)
      msCell((w.latency_true ? w.latency_from_kernel_send?.true : w.latency_from_kernel_send?.local)?.p50),
      msCell((w.latency_true ? w.latency_from_kernel_send?.true : w.latency_from_kernel_send?.local)?.p99),
    ];
  });
  return table(
    'table-delivery',
    `Delivery: ${d.events_sent} events sent; received by every worker ${d.received_by_all.count}, by none ${d.received_by_none.count}`,
    [
      'worker',
      'received',
      'lost',
      'lost share',
      'duplicates',
      'unknown event ids',
      'latency from',
      'latency p50',
      'latency p99',
      'latency max',
      'from kernel send p50',
      'from kernel send p99',
    ],
    rows,
  );
}

/** Where each worker's lost events went: its socket's kernel drop counter against the loss. */
export function lossTable(stats: Stats): string {
  const rows: Cell[][] = stats.delivery.workers.map((w) => [
    w.node,
    w.lost,
    w.kernel_drops,
    w.lost_at_socket,
    w.lost_in_network,
    w.kernel_drops_from,
  ]);
  return table(
    'table-loss',
    "Loss by place: the kernel drop counter of each worker's socket (receive buffer full) against its lost events",
    ['worker', 'lost', 'kernel drops at the socket', 'lost at the socket (at most)', 'lost in the network (at least)', 'counter'],
    rows,
  );
}

export function causalityTable(stats: Stats): string {
  const rows: Cell[][] = stats.causality.map((c) => [
    `${c.source} @ ${c.node ?? 'all workers'}`,
    c.point.compared,
    c.point.missing,
    pctCell(c.point.violations.share, c.point.violations.count, c.point.violations.total),
    msCell(c.point.margin.p01),
    msCell(c.point.margin.p50),
    c.interval ? c.interval.compared : null,
    c.interval ? pctCell(c.interval.proven_after.share, c.interval.proven_after.count, c.interval.proven_after.total) : null,
    c.interval ? pctCell(c.interval.ambiguous.share, c.interval.ambiguous.count, c.interval.ambiguous.total) : null,
    c.interval ? pctCell(c.interval.violation.share, c.interval.violation.count, c.interval.violation.total) : null,
  ]);
  return table(
    'table-causality',
    'Causality: coordinator send vs worker receive, like with like',
    [
      'source @ worker',
      'pairs compared',
      'pairs missing a value',
      'point violations',
      'r − s p1',
      'r − s p50',
      'interval pairs',
      'proven after',
      'ambiguous',
      'interval violations',
    ],
    rows,
  );
}

export function boundQualityTable(stats: Stats): string {
  if (!stats.truth.recv && !stats.truth.send)
    return '<p class="empty" id="table-bound-quality">Bound quality: this run has no ground truth, so coverage and point error cannot be measured.</p>';
  const rows: Cell[][] = stats.bound_quality.map((b) => [
    `${b.source} @ ${b.role === 'coordinator' ? 'coordinator' : (b.node ?? 'all workers')}`,
    b.readings,
    b.coverage ? pctCell(b.coverage.share, b.coverage.count, b.coverage.total) : null,
    msCell(b.half_width?.p50),
    msCell(b.half_width?.p99),
    msCell(b.abs_point_error.p50),
    msCell(b.abs_point_error.p99),
    msCell(b.abs_point_error.max),
  ]);
  return table(
    'table-bound-quality',
    'Bound quality against ground truth',
    ['source @ place', 'readings', 'coverage', 'half-width p50', 'half-width p99', '|error| p50', '|error| p99', '|error| max'],
    rows,
  );
}

/** Self-consistency per worker and source: readings that must miss, with no truth (the same block as the text summary). */
export function selfConsistencyTable(stats: Stats): string {
  if (!stats.self_consistency)
    return '<p class="empty" id="table-self-consistency">Self-consistency: not in this stats.json (analysed by an older version).</p>';
  return table('table-self-consistency', selfConsistencyCaption(stats), SELF_CONSISTENCY_COLUMNS, selfConsistencyRows(stats));
}

export function inputsTable(stats: Stats): string {
  const rows: Cell[][] = stats.inputs.files.map((f) => [f.path, f.role, f.rows, f.skipped_rows, f.torn_tail ? 'yes' : 'no']);
  return table('table-inputs', 'Input files as read', ['file', 'role', 'rows used', 'rows skipped', 'torn last line'], rows);
}

/** Key facts of manifest.json, then the whole manifest in a collapsed block. */
export function manifestSection(manifest: Record<string, unknown> | null): string {
  if (!manifest) return '<p class="empty" id="manifest">No manifest.json in the run directory.</p>';
  const get = (k: string): Cell => {
    const v = manifest[k];
    if (v === undefined || v === null) return null;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
    return typeof v === 'object' ? { html: `<code>${esc(JSON.stringify(v))}</code>` } : String(v as string | number | boolean);
  };
  const keys = ['run_id', 'kind', 'started_utc', 'ended_utc', 'command_line', 'schedule', 'versions', 'security'];
  const rows: Cell[][] = keys.filter((k) => k in manifest).map((k) => [k, get(k)]);
  return (
    table('table-manifest', 'Run manifest', ['field', 'value'], rows) +
    `<details><summary>Full manifest.json</summary><pre>${esc(JSON.stringify(manifest, null, 2))}</pre></details>`
  );
}
