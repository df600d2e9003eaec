// The clock sources of an event file's header, and the availability counts of their readings.
// Sources are discovered from column names (DESIGN §4): S is a source when the header has
// `S_ns` together with `S_status` or `S_lo_ns`/`S_hi_ns`; it is bounded when both lo and hi exist.
import { ratio } from '../stats/distribution.js';
import type { ReadingAvailability } from '../stats/types.js';
import { SOURCE_SUFFIX, STAMP_COLUMNS, sourceColumnNames } from '../../src/files/columns.js';

const NOT_SOURCES = new Set(STAMP_COLUMNS);

export interface DiscoveredSource {
  name: string;
  bounded: boolean;
}

export function discoverSources(header: readonly string[]): DiscoveredSource[] {
  const cols = new Set(header);
  const out: DiscoveredSource[] = [];
  for (const c of header) {
    if (!c.endsWith(SOURCE_SUFFIX.point) || c.endsWith(SOURCE_SUFFIX.lo) || c.endsWith(SOURCE_SUFFIX.hi)) continue;
    const name = c.slice(0, -SOURCE_SUFFIX.point.length);
    if (NOT_SOURCES.has(c) || name === '') continue;
    const names = sourceColumnNames(name);
    const hasLo = cols.has(names.lo);
    const hasHi = cols.has(names.hi);
    if (!cols.has(names.status) && !(hasLo && hasHi)) continue;
    out.push({ name, bounded: hasLo && hasHi });
  }
  return out;
}

/** Counts of one source's readings at one place (ReadingAvailability without the labels). */
export class AvailabilityCounter {
  rows = 0;
  withPoint = 0;
  withInterval = 0;
  empty = 0;
  status = new Map<string, { n: number }>();
  box(status: string): { n: number } {
    let b = this.status.get(status);
    if (!b) this.status.set(status, (b = { n: 0 }));
    return b;
  }
  /** `bounded`: the source's metrics use intervals, so a reading counts as available only with one. */
  toEntry(source: string, role: 'coordinator' | 'worker', node: string | null, bounded: boolean): ReadingAvailability {
    return {
      source,
      role,
      node,
      rows: this.rows,
      with_point: this.withPoint,
      with_interval: this.withInterval,
      empty: this.empty,
      status_counts: Object.fromEntries([...this.status].map(([k, v]) => [k, v.n] as const).sort((a, b) => a[0].localeCompare(b[0]))),
      availability: ratio(bounded ? this.withInterval : this.withPoint, this.rows),
      point_availability: ratio(this.withPoint, this.rows),
    };
  }

  /** The sum of several places' counts (all workers pooled). */
  static pooled(parts: readonly AvailabilityCounter[]): AvailabilityCounter {
    const out = new AvailabilityCounter();
    for (const p of parts) {
      out.rows += p.rows;
      out.withPoint += p.withPoint;
      out.withInterval += p.withInterval;
      out.empty += p.empty;
      for (const [k, v] of p.status) out.box(k).n += v.n;
    }
    return out;
  }
}
