// One line per source for dashboards: values copied from the full sections, nothing new computed.
import type { HeadlineEntry, Stats } from './stats-types.js';

export function headline(stats: Omit<Stats, 'headline'>): HeadlineEntry[] {
  return stats.sources.map((src) => {
    const c = stats.causality.find((e) => e.source === src.name && e.node === null);
    const o = stats.ordering.find((e) => e.source === src.name && e.pair === null);
    const b = stats.bound_quality.find((e) => e.source === src.name && e.role === 'worker' && e.node === null);
    const cw = stats.commit_wait.find((e) => e.source === src.name && e.node === null);
    const win = stats.windows.filter((e) => e.source === src.name);
    const byWindow = (f: (e: (typeof win)[number]) => number | null | undefined) =>
      Object.fromEntries(win.map((e) => [String(e.window_ms), f(e) ?? null]));
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
    };
  });
}
