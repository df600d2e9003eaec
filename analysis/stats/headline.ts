// One line per source for dashboards, and the few numbers that matter per worker with the worst
// worker named (docs/metrics.md §Headline): values copied from the full sections, nothing new
// computed except the choice of the worst.
import type { HeadlineEntry, HeadlineWorker, HeadlineWorst, Ratio, Stats } from './types.js';
import { truthLabel } from '../metrics/frames.js';

type Sections = Omit<Stats, 'headline'>;

/** The largest of some counts (null when none is known). */
function most(xs: readonly (number | null | undefined)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (typeof x === 'number' && (m === null || x > m)) m = x;
  return m;
}

/** The worker with the lowest (`low`) or highest value; the first in worker order on ties. */
function worstOf(
  rows: readonly HeadlineWorker[],
  pick: (w: HeadlineWorker) => number | null | undefined,
  low: boolean,
): HeadlineWorst | null {
  let best: HeadlineWorst | null = null;
  for (const r of rows) {
    const v = pick(r);
    if (r.node === null || typeof v !== 'number') continue;
    if (best === null || (low ? v < best.value : v > best.value)) best = { node: r.node, value: v };
  }
  return best;
}

function workerRow(stats: Sections, source: string, node: string | null): HeadlineWorker {
  const read = stats.readings.find((e) => e.source === source && e.role === 'worker' && e.node === node);
  const caus = stats.causality.find((e) => e.source === source && e.node === node);
  const bq = stats.bound_quality.find((e) => e.source === source && e.role === 'worker' && e.node === node);
  const pooledOrder = stats.ordering.find((e) => e.source === source && e.pair === null)?.interval_vs_truth;
  const wins = stats.windows.filter((e) => e.source === source);
  const orders = pooledOrder
    ? node === null
      ? pooledOrder.wrong.count
      : (pooledOrder.wrong_by_worker.find((x) => x.node === node)?.count ?? null)
    : null;
  const falseConflicts = most(
    wins.map((e) =>
      node === null ? e.interval?.conflict_false : e.interval?.conflict_false_by_worker?.find((x) => x.node === node)?.count,
    ),
  );
  const r = (x: Ratio | null | undefined): Ratio | null => x ?? null;
  return {
    node,
    availability: r(read?.availability),
    coverage: r(bq?.coverage),
    point_violations: r(caus?.point.violations),
    interval_violations: r(caus?.interval?.violation),
    interval_wrong_orders: orders,
    window_false_conflicts: falseConflicts,
  };
}

export function headline(stats: Sections): HeadlineEntry[] {
  return stats.sources.map((src) => {
    const c = stats.causality.find((e) => e.source === src.name && e.node === null);
    const o = stats.ordering.find((e) => e.source === src.name && e.pair === null);
    const b = stats.bound_quality.find((e) => e.source === src.name && e.role === 'worker' && e.node === null);
    const cw = stats.commit_wait.find((e) => e.source === src.name && e.node === null);
    const win = stats.windows.filter((e) => e.source === src.name);
    const byWindow = (f: (e: (typeof win)[number]) => number | null | undefined) =>
      Object.fromEntries(win.map((e) => [String(e.window_ms), f(e) ?? null]));
    const workers = [null, ...stats.workers].map((node) => workerRow(stats, src.name, node));
    const pooled = workers[0]!;
    return {
      source: src.name,
      bounded: src.bounded,
      point_violation_share: c?.point.violations.share ?? null,
      interval_violation_share: c?.interval?.violation.share ?? null,
      interval_proven_after_share: c?.interval?.proven_after.share ?? null,
      ordering_point_wrong_share: o?.point_vs_truth?.wrong.share ?? null,
      ordering_interval_proven_share: o?.interval?.proven.share ?? null,
      ordering_interval_wrong_share: o?.interval_vs_truth?.wrong.share ?? null,
      window_point_agree_share: byWindow((e) => e.point.agree.share),
      window_interval_confident_agree_share: byWindow((e) => e.interval?.confident_agree.share),
      window_interval_conflict_share: byWindow((e) => e.interval?.confident_conflict.share),
      coverage_share: b?.coverage?.share ?? null,
      commit_wait_p50_ns: cw?.wait.p50 ?? null,
      availability_share: pooled.availability?.share ?? null,
      interval_violations: pooled.interval_violations?.count ?? null,
      interval_wrong_orders: pooled.interval_wrong_orders,
      window_false_conflicts: pooled.window_false_conflicts,
      workers,
      worst: {
        availability: worstOf(workers, (w) => w.availability?.share, true),
        coverage: worstOf(workers, (w) => w.coverage?.share, true),
        interval_violations: worstOf(workers, (w) => w.interval_violations?.count, false),
        interval_wrong_orders: worstOf(workers, (w) => w.interval_wrong_orders, false),
        window_false_conflicts: worstOf(workers, (w) => w.window_false_conflicts, false),
        point_violations: worstOf(workers, (w) => w.point_violations?.share, false),
      },
    };
  });
}

/** What the headline's coverage is coverage of: true time, or (with channel) the truth with a note. */
export function headlineTruth(stats: Pick<Stats, 'headline'>): ReturnType<typeof truthLabel> {
  return truthLabel(stats.headline.filter((h) => h.bounded).map((h) => h.source));
}
