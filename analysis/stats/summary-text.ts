// The plain-text summary `chronoeval analyze` prints: readable tables made only from stats.json
// values. A statistic without data prints as "—", never as 0 %.
import type { Distribution, HeadlineEntry, HeadlineWorst, KernelSendLatency, Ratio, Stats } from './types.js';
import { scheduleText } from '../load/schedule-info.js';

export function pct(r: Ratio | null | undefined): string {
  if (!r || r.share === null) return '—';
  return `${(r.share * 100).toFixed(r.share === 0 || r.share === 1 ? 0 : 2)}% (${r.count}/${r.total})`;
}

export function fmtNs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(3)} s`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(3)} ms`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)} µs`;
  return `${Math.round(v)} ns`;
}

const num = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : String(v));
const dist = (d: Distribution | null | undefined) => (d && d.n > 0 ? `${fmtNs(d.p50)} / ${fmtNs(d.p99)}` : '—');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The count of a degraded split ("—" when the split is absent, e.g. no bounds). */
const degradedOf = (r: Ratio | null | undefined): string => (r ? `${r.count} of ${r.total}` : '—');

const share = (x: number | null | undefined): string =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(x === 0 || x === 1 ? 0 : 2)}%`;

/** `share`: higher is better (perfect 1); `bad-share` and `count`: lower is better (perfect 0). */
function worstText(w: HeadlineWorst | null, kind: 'share' | 'bad-share' | 'count'): string {
  if (!w) return '';
  if (kind === 'share' ? w.value >= 1 : w.value <= 0) return '';
  return `; worst ${w.node} ${kind === 'count' ? w.value : share(w.value)}`;
}

export const HEADLINE_COLUMNS = [
  'source',
  'availability',
  'coverage',
  'interval violations',
  'wrong interval orders',
  'false window conflicts',
  'point violations',
  'wrong point orders',
];

/**
 * The headline block, one row per source: the numbers that matter, workers pooled, each followed
 * by its worst worker when that one is not perfect (stats.json headline[]).
 */
export function headlineRows(s: Pick<Stats, 'headline'>): string[][] {
  const count = (x: number | null, w: HeadlineWorst | null) => (x === null ? '—' : `${x}${worstText(w, 'count')}`);
  return s.headline.map((h: HeadlineEntry) => {
    const pooled = h.workers.find((w) => w.node === null);
    return [
      `${h.source}${h.bounded ? ' [interval]' : ''}`,
      pooled?.availability ? `${pct(pooled.availability)}${worstText(h.worst.availability, 'share')}` : '—',
      h.bounded ? `${pct(pooled?.coverage)}${worstText(h.worst.coverage, 'share')}` : '—',
      count(h.interval_violations, h.worst.interval_violations),
      count(h.interval_wrong_orders, h.worst.interval_wrong_orders),
      count(h.window_false_conflicts, h.worst.window_false_conflicts),
      `${share(h.point_violation_share)}${h.workers.length > 2 ? worstText(h.worst.point_violations ?? null, 'bad-share') : ''}`,
      share(h.ordering_point_wrong_share),
    ];
  });
}

export const SELF_CONSISTENCY_COLUMNS = [
  'worker',
  'source',
  'readings',
  'must miss (at least)',
  'matching',
  'path',
  'no interval',
  'half-width p50',
];

/** Self-consistency per worker and source (stats.json self_consistency), the worst one first. */
export function selfConsistencyRows(s: Pick<Stats, 'self_consistency'>): string[][] {
  const sc = s.self_consistency;
  if (!sc) return [];
  const rows: string[][] = [];
  for (const [node, bySource] of Object.entries(sc.by_worker))
    for (const [source, e] of Object.entries(bySource))
      rows.push([
        node === sc.worst?.node && source === sc.worst.source && e.must_miss > 0 ? `${node} (worst)` : node,
        source,
        String(e.readings),
        e.fraction === null ? '—' : `${e.must_miss} (${(e.fraction * 100).toFixed(e.must_miss === 0 ? 0 : 2)}%)`,
        String(e.matching),
        String(e.path),
        String(e.skipped),
        fmtNs(e.half_width_p50_ns),
      ]);
  return rows;
}

/** The block's caption: what ε and what the bound is. */
export function selfConsistencyCaption(s: Pick<Stats, 'self_consistency'>): string {
  const sc = s.self_consistency;
  if (!sc) return 'Self-consistency: not computed';
  return `Self-consistency of interval sources (no truth, no echo; ε = ${sc.max_freq_error_ppm} ppm): readings that must miss, at least — the larger of a matching of incompatible pairs and n − the most readings one clock path can pass through`;
}

/** One table of the terminal summary; the report renders the same list (analysis/report/sections.ts). */
export interface TerminalTable {
  /** Stable key (the report's table id is `table-terminal-<key>`). */
  key: string;
  /** The line above the table; its first words name it in both outputs. */
  title: string;
  head: string[];
  rows: string[][];
  /** Printed instead of the table when there are no rows (omitted: an empty table is printed). */
  empty?: string;
}

/** Latency from the kernel's send stamp: true where the run has truth, else between the local clocks (marked). */
function kernelLatency(k: KernelSendLatency | null): string {
  if (!k) return '—';
  return k.true ? dist(k.true) : `${dist(k.local)} (local clocks)`;
}

/** Every table `chronoeval analyze` prints, in print order (the bracketed block's lines follow them). */
export function terminalTables(s: Stats): TerminalTable[] {
  const out: TerminalTable[] = [
    {
      key: 'headline',
      title:
        'Headline (workers pooled; the worst worker named where it is not perfect; false window conflicts: the most at any window size)',
      head: HEADLINE_COLUMNS,
      rows: headlineRows(s),
    },
    {
      key: 'delivery',
      title: 'Delivery',
      head: ['worker', 'received', 'lost', 'duplicates', 'unknown', 'latency true p50/p99', 'from kernel send p50/p99', 'rejected'],
      rows: s.delivery.workers.map((w) => [
        w.node,
        String(w.received),
        pct(w.lost_ratio),
        String(w.duplicates),
        String(w.unknown_events),
        dist(w.latency_true),
        kernelLatency(w.latency_from_kernel_send),
        w.rejected
          ? Object.entries(w.rejected)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || '0'
          : '—',
      ]),
    },
    {
      key: 'loss',
      title: "Loss by place (kernel drops: datagrams the kernel dropped at the worker's socket, receive buffer full)",
      head: ['worker', 'lost', 'kernel drops', 'lost at socket (at most)', 'lost in network (at least)', 'counter'],
      rows: s.delivery.workers.map((w) => [
        w.node,
        String(w.lost),
        num(w.kernel_drops),
        num(w.lost_at_socket),
        num(w.lost_in_network),
        w.kernel_drops_from ?? '—',
      ]),
    },
    {
      key: 'causality',
      title: 'Causality (coordinator S vs worker S, workers pooled)',
      head: ['source', 'compared', 'point violations', 'interval proven after', 'ambiguous', 'interval violations', 'on degraded readings'],
      rows: s.causality
        .filter((c) => c.node === null)
        .map((c) => [
          c.source,
          String(c.point.compared),
          pct(c.point.violations),
          pct(c.interval?.proven_after),
          pct(c.interval?.ambiguous),
          pct(c.interval?.violation),
          degradedOf(c.interval?.degraded?.violation),
        ]),
    },
    {
      key: 'ordering',
      title: 'Ordering between workers (all pairs pooled)',
      head: [
        'source',
        'pairs compared',
        'point wrong vs truth',
        'interval proven',
        'interval ambiguous',
        'interval wrong vs truth',
        'on degraded readings',
      ],
      rows: s.ordering
        .filter((o) => o.pair === null)
        .map((o) => [
          o.source,
          String(o.point.compared),
          pct(o.point_vs_truth?.wrong),
          pct(o.interval?.proven),
          pct(o.interval?.ambiguous),
          pct(o.interval_vs_truth?.wrong),
          degradedOf(o.interval_vs_truth?.degraded?.wrong),
        ]),
    },
    {
      key: 'windows',
      title: 'Window assignment',
      head: [
        'source',
        'window',
        'point agree',
        'confident agree',
        'confident conflict',
        'ambiguous',
        'point accuracy',
        'false conflicts (on degraded)',
      ],
      rows: s.windows.map((w) => [
        w.source,
        `${w.window_ms} ms`,
        pct(w.point.agree),
        pct(w.interval?.confident_agree),
        pct(w.interval?.confident_conflict),
        pct(w.interval?.ambiguous),
        pct(w.accuracy?.point?.correct),
        w.interval && w.interval.conflict_false !== null
          ? `${w.interval.conflict_false} (${w.interval.degraded?.conflict_false ?? '—'})`
          : '—',
      ]),
    },
    {
      key: 'coordination',
      title: 'Coordination cost (events needing repair or coordination)',
      head: ['source', 'window', 'point repairs', 'interval coordination', 'after re-estimation'],
      rows: s.coordination.map((c) => [
        c.source,
        `${c.window_ms} ms`,
        pct(c.point_repairs),
        pct(c.interval_coordination),
        c.reestimated.map((r) => `${r.delay_s}s: ${pct(r.interval_coordination)}, ${r.interval_conflicts.count} conflicts`).join('; ') ||
          '—',
      ]),
    },
    {
      key: 'commit-wait',
      title: 'Commit wait (TrueTime wait per event, workers pooled) and re-estimated width',
      head: ['source', 'wait p50 / p99', 're-estimated width p50 / p99 by delay'],
      rows: s.commit_wait
        .filter((c) => c.node === null)
        .map((c) => [c.source, dist(c.wait), c.reestimated.map((r) => `${r.delay_s}s: ${dist(r.width)}`).join('; ') || '—']),
    },
    {
      key: 'bound-quality',
      title: 'Bound quality against truth (workers pooled)',
      head: ['source', 'readings', 'coverage', 'degraded readings', 'other readings', 'half-width p50 / p99', '|error| p50 / p99'],
      rows: s.bound_quality
        .filter((b) => b.role === 'worker' && b.node === null)
        .map((b) => [
          b.source,
          String(b.readings),
          pct(b.coverage),
          pct(b.coverage_degraded),
          pct(b.coverage_not_degraded),
          dist(b.half_width),
          dist(b.abs_point_error),
        ]),
    },
  ];
  if (s.self_consistency)
    out.push({
      key: 'self-consistency',
      title: selfConsistencyCaption(s),
      head: SELF_CONSISTENCY_COLUMNS,
      rows: selfConsistencyRows(s),
      empty: '(no interval source on any worker)',
    });
  const b = bracketedTable(s);
  if (b) out.push(b);
  return out;
}

export function summaryText(s: Stats): string {
  const out: string[] = [];
  const srcNames = s.sources.map((x) => `${x.name}${x.bounded ? ' [interval]' : ''}`).join(', ');
  out.push(`chronoeval analysis — run ${s.run.run_id ?? '(unnamed)'} (${s.run.format}) in ${s.run.run_dir}`);
  out.push(`events sent: ${s.delivery.events_sent}; workers: ${s.workers.join(', ') || '(none)'}; sources: ${srcNames || '(none)'}`);
  out.push(
    `ground truth: ${s.truth.recv ? 'yes' : 'no (truth-based metrics absent)'}; duration: ${fmtNs(s.run.duration_ns)}; windows: ${s.windows_ms.join(', ')} ms`,
  );
  out.push(`event schedule: ${scheduleText(s.run.schedule ?? null)}`);
  for (const t of terminalTables(s)) {
    out.push('', t.title);
    out.push(t.rows.length === 0 && t.empty !== undefined ? t.empty : table(t.head, t.rows));
  }
  out.push(...bracketedLines(s));

  if (s.inputs.warnings.length > 0) {
    out.push('', `Warnings (${s.inputs.warnings.length})`);
    for (const w of s.inputs.warnings.slice(0, 20)) out.push(`- ${w}`);
    if (s.inputs.warnings.length > 20) out.push(`- … ${s.inputs.warnings.length - 20} more in stats.json`);
  }
  return out.join('\n') + '\n';
}

/** The echo brackets' table (docs/metrics.md §Echo brackets): per worker and source, no truth needed; null without brackets. */
function bracketedTable(s: Stats): TerminalTable | null {
  const b = s.bracketed;
  if (!b) return null;
  const rows: string[][] = [];
  for (const node of s.workers) {
    const c = b.brackets[node];
    for (const [source, e] of Object.entries(b.by_worker[node] ?? {})) {
      const off = (x: number) => pct(e.error.provably_off.find((o) => o.x_ns === x)?.count);
      rows.push([
        `${source} @ ${node}`,
        c ? `${c.brackets} (${c.unjudged} unjudged, ${c.inconsistent} inconsistent)` : '—',
        dist(e.error.midpoint),
        off(100e3),
        off(1e6),
        e.interval ? pct(e.interval.provable_miss) : '—',
      ]);
    }
  }
  return {
    key: 'bracketed',
    title: `Bracketed truth (echo brackets, reference ${b.reference}; m = reading − bracket midpoint; needs no truth)`,
    head: ['source @ worker', 'brackets', 'm p50 / p99', 'provably off > 100 µs', 'provably off > 1 ms', 'provable misses'],
    rows,
  };
}

/** The lines after the bracketed table: orders and windows proven by brackets, the truth check (the report lists them too). */
export function bracketedLines(s: Stats): string[] {
  const b = s.bracketed;
  if (!b) return s.echo === null ? ['', 'Bracketed truth: no echo/ directory in this run (no echo brackets).'] : [];
  const out: string[] = [];
  const orders = Object.entries(b.ordering.pooled).map(([source, o]) => {
    const w = b.ordering.worst_pair[source];
    const worst =
      w?.point_wrong && w.point_wrong.share > 0 ? `; worst pair ${w.point_wrong.pair} ${(w.point_wrong.share * 100).toFixed(2)}%` : '';
    const iv = o.interval ? `, interval wrong ${pct(o.interval.wrong)}` : '';
    return `- ${source}: ${o.judged.count} cross-event orders proven by brackets; point wrong ${pct(o.point.wrong)}${iv}${worst}`;
  });
  out.push(...orders);
  // Windows the brackets pin down (the bracket inside one window), pooled; the worst worker when any is wrong.
  for (const [source, e] of Object.entries(b.pooled)) {
    const sizes = e.windows.map((w) => {
      const iv = w.interval ? `, interval confident-wrong ${pct(w.interval.confident_wrong)}` : '';
      let worst = '';
      let worstWrong = 0;
      for (const node of s.workers) {
        const n = b.by_worker[node]?.[source]?.windows.find((x) => x.window_ms === w.window_ms);
        if (n && n.point.wrong > worstWrong) {
          worstWrong = n.point.wrong;
          worst = `; worst ${node} ${n.point.wrong}/${n.point.compared}`;
        }
      }
      return `${w.window_ms} ms: ${w.judged} judged, point wrong ${w.point.wrong}/${w.point.compared}${iv}${worst}`;
    });
    if (sizes.length > 0) out.push(`- ${source} windows proven by brackets: ${sizes.join('; ')}`);
  }
  if (b.truth_check) {
    const t = b.truth_check.pooled;
    out.push(
      `- truth check (${b.truth_check.frame} frame): brackets contain truth ${pct(t.bracket_contains_truth)}; provable misses real ${pct(t.provable_misses_real)}; bracket-proven orders true ${pct(t.proven_orders_true)}`,
    );
  }
  return out;
}
