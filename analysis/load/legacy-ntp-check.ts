// The first version's NTP columns were not always what they claim: in its cluster run the NTP
// offsets spread over −4.6 to −40 ms while the system clocks agreed to ~1 ms, and applying them
// turned 0 % causality violations into 24 %. A receive cannot precede its send, so NTP-corrected
// stamps that violate causality where the raw clocks did not prove the NTP data wrong; the ntp
// figures then describe that data, not clock quality, and the analysis says so.
import type { CausalityEntry, Stats } from '../stats/types.js';
import type { NtpOffsetRange } from './legacy.js';

/** Fewer compared pairs than this judge nothing. */
export const LEGACY_NTP_MIN_COMPARED = 20;
/** NTP correction adding at least this share of violations (1 percentage point) is implausible. */
export const LEGACY_NTP_ADDED_SHARE = 0.01;

export interface LegacyNtpFile {
  path: string;
  offsets: NtpOffsetRange;
}

const ms = (ns: number): string => `${(ns / 1e6).toFixed(ns !== 0 && Math.abs(ns) < 1e6 ? 3 : 1)} ms`;
const share = (e: CausalityEntry): string =>
  `${(100 * (e.point.violations.share ?? 0)).toFixed(1)} % (${e.point.violations.count}/${e.point.violations.total})`;

/**
 * A warning when a legacy run's NTP correction adds causality violations the system clocks do
 * not have (pooled over workers, or at any one worker), or null when it does not or when too few
 * pairs were compared to tell.
 */
export function legacyNtpWarning(stats: Pick<Stats, 'causality'>, files: LegacyNtpFile[]): string | null {
  const entry = (source: string, node: string | null) => stats.causality.find((c) => c.source === source && c.node === node);
  const nodes = [null, ...new Set(stats.causality.filter((c) => c.node !== null).map((c) => c.node))];
  const implausible: { node: string | null; sys: CausalityEntry; ntp: CausalityEntry }[] = [];
  for (const node of nodes) {
    const sys = entry('system', node);
    const ntp = entry('ntp', node);
    if (!sys || !ntp || sys.point.compared < LEGACY_NTP_MIN_COMPARED || ntp.point.compared < LEGACY_NTP_MIN_COMPARED) continue;
    const s = sys.point.violations.share,
      n = ntp.point.violations.share;
    if (s !== null && n !== null && n - s >= LEGACY_NTP_ADDED_SHARE) implausible.push({ node, sys, ntp });
  }
  if (implausible.length === 0) return null;
  const lead = implausible.find((x) => x.node === null) ?? implausible[0]!;
  const where = lead.node === null ? 'workers pooled' : `worker ${lead.node}`;
  const others = implausible.filter((x) => x !== lead && x.node !== null).map((x) => `${x.node} ${share(x.sys)} → ${share(x.ntp)}`);
  const ranges = files.filter((f) => f.offsets.rows > 0).map((f) => `${f.path} ${ms(f.offsets.min_ns!)} to ${ms(f.offsets.max_ns!)}`);
  const lat = (e: CausalityEntry) => (e.point.margin.n > 0 && e.point.margin.p50 !== null ? ms(e.point.margin.p50) : '—');
  return (
    `legacy NTP data look implausible: applying the ntp columns (ntp_timestamp_ns / ntp_offset_ms) turns causality violations ` +
    `of ${share(lead.sys)} with the system clocks into ${share(lead.ntp)} (${where}${others.length ? `; also ${others.join(', ')}` : ''}; ` +
    `apparent one-way latency p50 ${lat(lead.sys)} system, ${lat(lead.ntp)} ntp). A receive cannot precede its send, so these ` +
    `NTP corrections are wrong where the raw clocks are not. NTP corrections (ntp − local clock) per file: ${ranges.join('; ') || 'none'}. ` +
    'The ntp figures (causality, ordering, windows, sync) describe this NTP data, not the quality of the clocks: check how the ' +
    'first version recorded its NTP offsets before reading them as clock error.'
  );
}
