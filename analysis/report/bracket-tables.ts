// The report's echo-bracket tables (docs/metrics.md §Echo brackets), from stats.json's `echo` and
// `bracketed` sections only: what every run proves about its clocks with no reference hardware.
import type { Stats } from '../stats/types.js';
import type { BracketedOrder, BracketedSourceEntry } from '../stats/bracket-types.js';
import { esc, msCell, pctCell, table, type Cell } from './html.js';

const X_LABEL: Record<number, string> = { 10e3: '10 µs', 100e3: '100 µs', 1e6: '1 ms', 10e6: '10 ms' };

/** The window size the tables show: 100 ms when analysed, else the first. */
function shownWindow(stats: Stats): number | undefined {
  return stats.windows_ms.includes(100) ? 100 : stats.windows_ms[0];
}

function sourceRow(label: string, e: BracketedSourceEntry, windowMs: number | undefined): Cell[] {
  const w = e.windows.find((x) => x.window_ms === windowMs);
  return [
    label,
    e.error.compared,
    msCell(e.error.midpoint.p50),
    msCell(e.error.half_width.p50),
    msCell(e.error.midpoint.p01),
    msCell(e.error.midpoint.p99),
    ...e.error.provably_off.map((o) => pctCell(o.count.share, o.count.count, o.count.total)),
    e.interval ? e.interval.judged : null,
    e.interval ? pctCell(e.interval.consistent.share, e.interval.consistent.count, e.interval.consistent.total) : null,
    e.interval ? `${e.interval.provable_miss.count} (${e.interval.too_early} early, ${e.interval.too_late} late)` : null,
    w ? w.judged : null,
    w ? pctCell(w.point.correct.share, w.point.correct.count, w.point.correct.total) : null,
    w?.interval ? pctCell(w.interval.confident_wrong.share, w.interval.confident_wrong.count, w.interval.confident_wrong.total) : null,
  ];
}

/** Per worker and source, then pooled: bracketed point error, provable misses, windows judged by brackets. */
export function bracketedTable(stats: Stats): string {
  const b = stats.bracketed;
  if (!b) {
    const why =
      stats.echo === undefined
        ? 'analysed before echo brackets existed (run chronoeval analyze again)'
        : stats.echo === null
          ? 'the run has no echo/ directory (recorded before echoes, or with --echo off)'
          : 'no echo row could be joined to an event';
    return `<p class="empty" id="table-bracketed">Bracketed truth: not available — ${esc(why)}.</p>`;
  }
  const win = shownWindow(stats);
  const rows: Cell[][] = [];
  for (const node of stats.workers) {
    const bySource = b.by_worker[node];
    if (!bySource) continue;
    for (const [source, e] of Object.entries(bySource)) rows.push(sourceRow(`${source} @ ${node}`, e, win));
  }
  for (const [source, e] of Object.entries(b.pooled)) rows.push(sourceRow(`${source} @ all workers`, e, win));
  const head = [
    'source @ worker',
    'readings bracketed',
    'm p50',
    '± p50',
    'm p1',
    'm p99',
    ...b.off_by_ns.map((x) => `provably off > ${X_LABEL[x] ?? `${x} ns`}`),
    'intervals judged',
    'consistent',
    'provable misses',
    `brackets in one ${win ?? '?'} ms window`,
    'point window correct',
    'interval window confidently wrong',
  ];
  const caption =
    `Bracketed truth (no reference hardware): each reading against its echo bracket in the ${b.reference} frame ` +
    `(m = reading − bracket midpoint; "provably off" and "provable misses" need no truth)`;
  return table('table-bracketed', caption, head, rows) + bracketCountsTable(stats) + bracketedOrderTable(stats);
}

/** Per worker: echoes, brackets, unjudged and inconsistent rows, δ. */
function bracketCountsTable(stats: Stats): string {
  const b = stats.bracketed!;
  const echo = stats.echo;
  const rows: Cell[][] = stats.workers.map((node) => {
    const c = b.brackets[node];
    const e = echo?.nodes.find((n) => n.node === node);
    return [
      node,
      e?.asked ?? null,
      e ? e.recorded : null,
      e?.missing ?? null,
      c ? c.brackets : null,
      c ? c.unjudged : null,
      c ? c.inconsistent : null,
      msCell(e?.delta.p50),
      msCell(e?.delta.p99),
      msCell(c?.width.p50),
    ];
  });
  return table(
    'table-echo',
    `Echoes and brackets per worker (mode ${JSON.stringify(echo?.mode ?? null)}; δ = round trip − hold, the width of the one-way delay's range)`,
    [
      'worker',
      'asked',
      'echo rows',
      'missing',
      'brackets',
      'unjudged (no reference value)',
      'inconsistent (δ < 0)',
      'δ p50',
      'δ p99',
      'bracket width p50',
    ],
    rows,
  );
}

/** Per worker pair and pooled: cross-event orders proven by disjoint brackets, and how each source ordered them. */
function bracketedOrderTable(stats: Stats): string {
  const o = stats.bracketed!.ordering;
  const rows: Cell[][] = [];
  const add = (label: string, bySource: Record<string, BracketedOrder>) => {
    for (const [source, e] of Object.entries(bySource))
      rows.push([
        `${source} @ ${label}`,
        e.pairs,
        pctCell(e.judged.share, e.judged.count, e.judged.total),
        e.point.compared,
        pctCell(e.point.wrong.share, e.point.wrong.count, e.point.wrong.total),
        e.point.tie,
        e.interval ? e.interval.compared : null,
        e.interval ? e.interval.correct : null,
        e.interval ? e.interval.wrong.count : null,
        e.interval ? e.interval.ambiguous : null,
      ]);
  };
  for (const [pair, bySource] of Object.entries(o.by_pair)) add(pair.replace('|', ' vs '), bySource);
  add('all pairs', o.pooled);
  return table(
    'table-bracketed-order',
    'Orders proven by brackets: receipts of consecutive events at two workers whose brackets are disjoint (receipts of one event always overlap: never judged)',
    [
      'source @ pair',
      'cross-event pairs',
      'order proven',
      'point orders judged',
      'point wrong',
      'point ties',
      'interval orders judged',
      'interval correct',
      'interval wrong (false confidence)',
      'interval ambiguous',
    ],
    rows,
  );
}
