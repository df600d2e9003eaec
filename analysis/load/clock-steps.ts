// Local clock steps per node, from the step rows of sync/<node>.csv (a `system` row "clock step N
// ns detected" from the step check, or a source's "local clock step N ns detected"). The
// self-consistency fold (analysis/fold/self-consistency.ts) never pairs readings across one:
// readings on either side of a step are in different local frames.
import { CsvReader, cellsOf } from './csv-reader.js';
import { parseRelNs, type Anchor } from './ns-parse.js';
import type { ClockStep } from '../fold/self-consistency.js';
import type { SyncColumn } from '../../src/files/columns.js';

const STEP_REASON = /clock step (-?\d+) ns detected/;

/** Steps per node (detection instant relative to `anchor`, size in ns), in file order; unreadable files give none. */
export async function readClockSteps(files: { node: string; file: string }[], anchor: Anchor): Promise<Record<string, ClockStep[]>> {
  const out: Record<string, ClockStep[]> = {};
  for (const { node, file } of files) {
    let reader: CsvReader;
    try {
      reader = await CsvReader.open(file, file);
    } catch {
      continue; // syncStats reports it
    }
    const at = (c: SyncColumn) => reader.header.indexOf(c);
    const iReason = at('reason'),
      iTime = at('sample_local_ns');
    if (iReason < 0 || iTime < 0) continue;
    for (let b = await reader.next(); b; b = await reader.next()) {
      for (let r = 0; r < b.count; r++) {
        const cells = cellsOf(b, r, reader.fields);
        const m = STEP_REASON.exec(cells[iReason]!);
        if (!m) continue;
        const t = parseRelNs(cells[iTime]!, anchor);
        if (t === undefined || Number.isNaN(t)) continue;
        (out[node] ??= []).push({ atNs: t, sizeNs: Number(m[1]) });
      }
    }
  }
  return out;
}
