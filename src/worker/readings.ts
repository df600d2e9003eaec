import type { ClockSource } from '../clock/types.js';
import type { Cell } from '../run/csv-writer.js';

/**
 * Append each source's reading at `localNs` (monotonic instant `monoNs`) to `row` as point, lo,
 * hi, status. Hot path: synchronous, reads cached models only.
 */
export function pushReadings(row: Cell[], sources: readonly ClockSource[], localNs: bigint, monoNs?: bigint): void {
  for (let i = 0; i < sources.length; i++) {
    const r = sources[i]!.read(localNs, monoNs);
    row.push(r.point_ns, r.lo_ns, r.hi_ns, r.status);
  }
}
