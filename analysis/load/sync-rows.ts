// Per node and source summaries of sync/<node>.csv (one row per clock-source sample).
import path from 'node:path';
import { CsvReader, cellsOf } from './csv-reader.js';
import { DistAcc, ratio } from '../stats/distribution.js';
import { parseRelNs, type Anchor } from './ns-parse.js';
import type { InputFile, SyncEntry } from '../stats/types.js';
import { syncAccepted } from '../metrics/sync.js';
import type { SyncSeriesBinner } from './sync-series.js';
import type { SamplingHealth } from '../fold/source-health.js';
import type { SyncColumn } from '../../src/files/columns.js';
import { inCoordinatorFrame } from '../metrics/frames.js';
import type { CoordinatorOffsetTrack } from '../fold/coordinator-offset.js';

const ZERO: Anchor = { sec: 0, ns: 0n };

class SyncCounts {
  samples = 0;
  accepted = 0;
  acceptedOf = 0;
  status = new Map<string, number>();
  reasons = new Map<string, number>();
  offset = new DistAcc();
  delay = new DistAcc();
  halfWidth = new DistAcc();
  offsetError = new DistAcc();
}

/** Durations (offset, delay, half-width) are small integers of ns: parsed exactly, '' → NaN. */
function dur(cells: readonly string[], i: number): number {
  if (i < 0) return NaN;
  const v = parseRelNs(cells[i]!, ZERO);
  return v === undefined ? NaN : v;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => a[0].localeCompare(b[0])));

export async function syncStats(
  files: { node: string; file: string }[],
  runDir: string,
  warn: (m: string) => void,
  /** The figures' binned series, filled from the same rows (sample times relative to `anchor`). */
  series?: {
    binner: SyncSeriesBinner;
    anchor: Anchor;
    health?: SamplingHealth;
    /** The coordinator's local − true over the run: the truth of coordinator-frame sources. */
    coordinatorOffset?: CoordinatorOffsetTrack;
  },
): Promise<{ entries: SyncEntry[]; inputs: InputFile[] }> {
  const entries: SyncEntry[] = [];
  const inputs: InputFile[] = [];
  for (const { node, file } of files) {
    const display = path.relative(runDir, file);
    let reader: CsvReader;
    try {
      reader = await CsvReader.open(file, display);
    } catch (err) {
      warn(`${display}: ${(err as Error).message}; skipped`);
      continue;
    }
    const h = reader.header;
    const at = (c: SyncColumn) => h.indexOf(c);
    const iSource = at('source'),
      iStatus = at('status'),
      iAccepted = at('accepted'),
      iReason = at('reason');
    const iOffset = at('offset_ns'),
      iDelay = at('delay_ns'),
      iHw = at('half_width_ns'),
      iTrue = at('true_offset_ns');
    const iTime = at('sample_local_ns');
    const bySource = new Map<string, SyncCounts>();
    for (let b = await reader.next(); b; b = await reader.next()) {
      for (let r = 0; r < b.count; r++) {
        const cells = cellsOf(b, r, reader.fields);
        const src = iSource >= 0 ? cells[iSource]! : '';
        let c = bySource.get(src);
        if (!c) bySource.set(src, (c = new SyncCounts()));
        c.samples++;
        if (iStatus >= 0) bump(c.status, cells[iStatus]!);
        if (iReason >= 0 && cells[iReason] !== '') bump(c.reasons, cells[iReason]!);
        const acc = syncAccepted(iAccepted >= 0 ? cells[iAccepted]! : '');
        if (acc !== null) {
          c.acceptedOf++;
          if (acc) c.accepted++;
        }
        const off = dur(cells, iOffset);
        const hw = dur(cells, iHw);
        c.offset.add(off);
        c.delay.add(dur(cells, iDelay));
        c.halfWidth.add(hw);
        if (series) {
          const t = iTime < 0 ? NaN : (parseRelNs(cells[iTime]!, series.anchor) ?? NaN);
          series.binner.add(node, src, t, off, hw, acc);
          series.health?.add(node, src, t, iStatus >= 0 ? cells[iStatus]! : '', iReason >= 0 ? cells[iReason]! : '');
        }
        const trueOff = dur(cells, iTrue);
        if (!inCoordinatorFrame(src)) c.offsetError.add(off - trueOff);
        else if (series?.coordinatorOffset) {
          // The source's offset is coordinator − local; the row's truth is true − local, taken
          // near the sample's instant: add the coordinator's own local − true there.
          const t = iTime < 0 ? NaN : (parseRelNs(cells[iTime]!, series.anchor) ?? NaN);
          c.offsetError.add(off - (trueOff + series.coordinatorOffset.at(t + trueOff)));
        }
      }
    }
    for (const w of reader.warnings) warn(w);
    inputs.push({ path: display, role: 'sync', node, rows: reader.rowsRead, skipped_rows: reader.skipped, torn_tail: reader.tornTail });
    for (const [source, c] of [...bySource].sort((a, b) => a[0].localeCompare(b[0]))) {
      entries.push({
        node,
        source,
        samples: c.samples,
        accepted: ratio(c.accepted, c.acceptedOf),
        status_counts: sorted(c.status),
        reasons: sorted(c.reasons),
        offset: c.offset.summarize(),
        delay: c.delay.summarize(),
        half_width: c.halfWidth.summarize(),
        offset_error: c.offsetError.n > 0 ? c.offsetError.summarize() : null,
      });
    }
  }
  return { entries, inputs };
}
