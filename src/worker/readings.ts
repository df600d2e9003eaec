import type { ClockSource, SourceStatus } from '../clock/types.js';
import type { Cell } from '../files/csv-writer.js';

/** Per source: how many readings had each status (only `ok` and `degraded` carry values). */
export type StatusTally = Partial<Record<SourceStatus, number>>;

/**
 * Append each source's reading at `localNs` (monotonic instant `monoNs`) to `row` as point, lo,
 * hi, status, and count its status in `tally[i]`. Hot path: synchronous, reads cached models only.
 */
export function pushReadings(row: Cell[], sources: readonly ClockSource[], localNs: bigint, monoNs?: bigint, tally?: StatusTally[]): void {
  for (let i = 0; i < sources.length; i++) {
    const r = sources[i]!.read(localNs, monoNs);
    row.push(r.point_ns, r.lo_ns, r.hi_ns, r.status);
    if (tally) {
      const t = tally[i]!;
      t[r.status] = (t[r.status] ?? 0) + 1;
    }
  }
}

/** Append the details (e.g. ct_source, ct_confidence) of each source's latest reading, in `sources` order. Hot path. */
export function pushDetails(row: Cell[], sources: readonly ClockSource[]): void {
  for (let i = 0; i < sources.length; i++) {
    const cells = sources[i]!.details?.();
    if (cells) for (let j = 0; j < cells.length; j++) row.push(cells[j]!);
  }
}

/** A source's availability for the summary: readings, how many had no value, and the count per status. */
export interface SourceAvailability {
  readings: number;
  without_value: number;
  /** Share of readings with a value (null without readings: nothing to divide). */
  availability: number | null;
  by_status: StatusTally;
}

export function availabilityOf(sources: readonly ClockSource[], tally: readonly StatusTally[]): Record<string, SourceAvailability> {
  const out: Record<string, SourceAvailability> = {};
  sources.forEach((s, i) => {
    const t = tally[i] ?? {};
    let readings = 0;
    let withValue = 0;
    for (const [status, n] of Object.entries(t) as Array<[SourceStatus, number]>) {
      readings += n;
      if (status === 'ok' || status === 'degraded') withValue += n;
    }
    out[s.name] = {
      readings,
      without_value: readings - withValue,
      availability: readings ? withValue / readings : null,
      by_status: { ...t },
    };
  });
  return out;
}
