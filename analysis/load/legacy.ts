// Import of the first (Python) version's layout: <dir>/coordinator.csv and <dir>/worker_<node>.csv.
// Each legacy row is rewritten into a native row (DESIGN §4 columns) and then analysed exactly like
// native data. The mapping (docs/metrics.md §Legacy import):
//   base B        = send_time_ns (coordinator) or receive_time_ns (worker) → send/recv_local_ns
//   system        = B (point only)
//   ntp           = ntp_timestamp_ns, else B + ntp_offset_ms·1e6 (point only: the first version's
//                   ntp_uncertainty_ms was a fixed guess, not a bound, so it is not used as one)
//   chronotick    = ct_timestamp_ns, else B + ct_offset_ms·1e6;
//                   [lo, hi] = [ct_lower_bound_ns, ct_upper_bound_ns], else point ∓ 3·ct_uncertainty_ms
//                   (the first version's own rule, k = 3)
//   status        = 'legacy' where a value exists, '' where not; true_* columns stay empty (no truth).
// ms → ns is done on the decimal text (exact, rounded half away from zero), never via a float of
// epoch ns. Empty, NaN, None and null cells are missing values, never 0.
import { decimalToBigInt, isFloatText } from './ns-parse.js';
import { coordinatorHeader, sourceColumnNames, sourceColumns, workerHeader } from '../../src/files/columns.js';

export const LEGACY_CT_K = 3;

export interface LegacyAdapter {
  header: string[];
  convert: (cells: readonly string[], line: number) => string[];
  /** ntp − base (the NTP correction) over the rows converted so far: for the plausibility check. */
  ntpOffsets: () => NtpOffsetRange;
}

/** Range of a legacy file's NTP corrections (ntp point − local clock), in ns; null without any. */
export interface NtpOffsetRange {
  rows: number;
  min_ns: number | null;
  max_ns: number | null;
}

export function legacyAdapter(
  header: readonly string[],
  role: 'coordinator' | 'worker',
  node: string | null,
  displayPath: string,
  warn: (msg: string) => void,
): LegacyAdapter {
  const at = (n: string) => header.indexOf(n);
  const baseCol = role === 'coordinator' ? 'send_time_ns' : 'receive_time_ns';
  const iBase = at(baseCol);
  if (iBase < 0)
    throw new Error(
      `${displayPath}: legacy ${role} file has no ${baseCol} column (is this the first version's layout? try --format native)`,
    );
  const iEvent = at('event_id');
  if (iEvent < 0) throw new Error(`${displayPath}: legacy file has no event_id column`);
  const iSeq = at('sequence_number') >= 0 ? at('sequence_number') : at('seq');
  const iNode = at('node_id');
  const iNtpTs = at('ntp_timestamp_ns'),
    iNtpOff = at('ntp_offset_ms');
  const iCtTs = at('ct_timestamp_ns'),
    iCtOff = at('ct_offset_ms'),
    iCtUnc = at('ct_uncertainty_ms');
  const iCtLo = at('ct_lower_bound_ns'),
    iCtHi = at('ct_upper_bound_ns');
  const hasNtp = iNtpTs >= 0 || iNtpOff >= 0;
  const hasCt = iCtTs >= 0 || iCtOff >= 0;
  const ctBounded = hasCt && legacyChronotickBounded(header);
  // Point-only sources get no lo/hi columns, so they are never treated as interval sources.
  const pointOnly = (s: string) => {
    const c = sourceColumnNames(s);
    return [c.point, c.status];
  };
  const sourceCols = [
    ...pointOnly('system'),
    ...(hasNtp ? pointOnly('ntp') : []),
    ...(hasCt ? (ctBounded ? sourceColumns(['chronotick']) : pointOnly('chronotick')) : []),
  ];
  const out = role === 'coordinator' ? coordinatorHeader(sourceCols) : workerHeader(sourceCols);

  const floatWarned = new Set<number>();
  const badWarned = { n: 0 };
  const nsCell = (cells: readonly string[], i: number, line: number): bigint | null => {
    if (i < 0) return null;
    const text = cells[i]!;
    const v = decimalToBigInt(text, 0);
    if (v === undefined) {
      bad(i, text, line);
      return null;
    }
    if (v !== null && isFloatText(text) && !floatWarned.has(i)) {
      floatWarned.add(i);
      warn(
        `${displayPath}: column ${header[i]} holds ns written as floats (e.g. line ${line}: ${text}); converted exactly as written, but digits beyond ~16 were already lost`,
      );
    }
    return v;
  };
  const msCell = (cells: readonly string[], i: number, line: number): bigint | null => {
    if (i < 0) return null;
    const v = decimalToBigInt(cells[i]!, 6);
    if (v === undefined) {
      bad(i, cells[i]!, line);
      return null;
    }
    return v;
  };
  function bad(i: number, text: string, line: number): void {
    badWarned.n++;
    if (badWarned.n <= 5)
      warn(`${displayPath}: line ${line}: column ${header[i]} = ${JSON.stringify(text.slice(0, 40))} is not a number; treated as empty`);
  }
  const offsets: NtpOffsetRange = { rows: 0, min_ns: null, max_ns: null };
  const str = (v: bigint | null) => (v === null ? '' : v.toString());
  const status = (v: bigint | null) => (v === null ? '' : 'legacy');

  return {
    header: out,
    convert(cells, line) {
      const base = nsCell(cells, iBase, line);
      const ev = cells[iEvent]!;
      const seq = iSeq >= 0 ? cells[iSeq]! : ev;
      const row: string[] =
        role === 'coordinator'
          ? ['', ev, seq, str(base)]
          : ['', iNode >= 0 && cells[iNode] ? cells[iNode]! : (node ?? ''), ev, seq, str(base)];
      row.push(str(base), status(base));
      if (hasNtp) {
        let p = nsCell(cells, iNtpTs, line);
        if (p === null && base !== null) {
          const off = msCell(cells, iNtpOff, line);
          if (off !== null) p = base + off;
        }
        row.push(str(p), status(p));
        if (p !== null && base !== null) {
          const off = Number(p - base);
          offsets.rows++;
          offsets.min_ns = offsets.min_ns === null ? off : Math.min(offsets.min_ns, off);
          offsets.max_ns = offsets.max_ns === null ? off : Math.max(offsets.max_ns, off);
        }
      }
      if (hasCt) {
        let p = nsCell(cells, iCtTs, line);
        if (p === null && base !== null) {
          const off = msCell(cells, iCtOff, line);
          if (off !== null) p = base + off;
        }
        let lo = nsCell(cells, iCtLo, line);
        let hi = nsCell(cells, iCtHi, line);
        if ((lo === null || hi === null) && p !== null) {
          const unc = msCell(cells, iCtUnc, line);
          if (unc !== null) {
            lo = p - BigInt(LEGACY_CT_K) * unc;
            hi = p + BigInt(LEGACY_CT_K) * unc;
          }
        }
        if (lo === null || hi === null) {
          lo = null;
          hi = null;
        }
        if (ctBounded) row.push(str(p), str(lo), str(hi), status(p));
        else row.push(str(p), status(p));
      }
      row.push('');
      return row;
    },
    ntpOffsets: () => ({ ...offsets }),
  };
}

/** True when the legacy chronotick source can carry an interval (bounds or uncertainty columns). */
export function legacyChronotickBounded(header: readonly string[]): boolean {
  return (header.includes('ct_lower_bound_ns') && header.includes('ct_upper_bound_ns')) || header.includes('ct_uncertainty_ms');
}
