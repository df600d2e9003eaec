// The long-format tables: every row of coordinator.csv and workers/<node>.csv becomes one row per
// clock source (export/readings.*), every row of echo/<node>.csv one row (export/echo.*). Files
// are streamed batch by batch through the analysis' CSV reader (load/csv-reader.ts), so memory is
// one batch plus one row group. Integer cells are checked on their text and copied as text: an
// exported ns value has exactly the digits of the run's file. A row with a cell that is not an
// integer where one belongs is skipped with a warning naming file and line, like the analysis does.
import { CsvReader, cellOf, type CsvBatch } from '../load/csv-reader.js';
import { discoverSources } from '../load/sources.js';
import { COORDINATOR_STAMPS, ECHO_STAMPS, EVENT_COLUMNS, WORKER_STAMPS, sourceColumnNames } from '../../src/files/columns.js';
import { typedText } from '../../src/cli/flag-values.js';
import { isInt64At } from './int-cells.js';
import type { TableWriter } from './table-sinks.js';

/** An event file to export: the coordinator's or one worker's. */
export interface EventFile {
  file: string;
  /** The path shown in warnings (relative to the run directory). */
  display: string;
  role: 'coordinator' | 'worker';
  node: string;
}

/** A header's column index, −1 when absent. */
function indexer(header: readonly string[]): (name: string) => number {
  return (name) => header.indexOf(name);
}

/**
 * Stream a CSV file's rows, skipping (with a warning) those whose integer columns do not hold
 * integers; `onRow` gets each good row. Returns the reader's warnings.
 */
async function streamCheckedRows(
  reader: CsvReader,
  ints: { index: number; nullable: boolean }[],
  out: TableWriter,
  onRow: (b: CsvBatch, i: number) => number,
): Promise<string[]> {
  const F = reader.fields;
  const h = reader.header;
  const present = ints.filter((c) => c.index >= 0);
  try {
    for (let b = await reader.next(); b !== null; b = await reader.next()) {
      let added = 0;
      const offs = b.offsets;
      rows: for (let i = 0; i < b.count; i++) {
        const text = b.texts[i]!;
        const base = i * (F + 1);
        for (const c of present) {
          if (!isInt64At(text, offs[base + c.index]!, offs[base + c.index + 1]! - 1, c.nullable)) {
            const cell = cellOf(b, i, c.index, F);
            reader.badRow(
              `line ${b.lines[i]}: column ${h[c.index]} = ${typedText(cell)} is not an integer${c.nullable ? ' or empty' : ''}; row skipped`,
            );
            continue rows;
          }
        }
        added += onRow(b, i);
      }
      out.added(added);
      if (out.full) await out.flush();
    }
  } finally {
    await reader.close();
  }
  return reader.warnings;
}

/** Cell j of the row at `base` in a batch (cellOf without the lookups); '' for an absent column (j < 0). */
function sliceCell(text: string, offsets: Int32Array, base: number, j: number): string {
  return j < 0 ? '' : text.slice(offsets[base + j]!, offsets[base + j + 1]! - 1);
}

function requireColumns(display: string, header: readonly string[], names: string[]): void {
  const missing = names.filter((n) => !header.includes(n));
  if (missing.length)
    throw new Error(
      `${display}: no column ${missing.join(', ')} in its header; is it a file of this project's run layout (docs/csv-schema.md)?`,
    );
}

/** Append one event file's readings to `out`; returns its warnings. */
export async function exportEventFile(f: EventFile, out: TableWriter): Promise<string[]> {
  const reader = await CsvReader.open(f.file, f.display, { encoding: 'latin1', seqColumn: EVENT_COLUMNS.seq });
  const h = reader.header;
  const E = EVENT_COLUMNS;
  try {
    requireColumns(f.display, h, [E.eventId, E.seq]);
  } catch (e) {
    await reader.close();
    throw e;
  }
  const col = indexer(h);
  const stamps = f.role === 'coordinator' ? COORDINATOR_STAMPS : WORKER_STAMPS;
  const iRun = col(E.runId);
  const iEvent = col(E.eventId);
  const iSeq = col(E.seq);
  const iLocal = col(stamps.local);
  const iTrue = col(stamps.truth);
  const sources = discoverSources(h).map((s) => {
    const n = sourceColumnNames(s.name);
    return { name: s.name, p: col(n.point), lo: col(n.lo), hi: col(n.hi), st: col(n.status) };
  });
  const ints = [
    { index: iEvent, nullable: false },
    { index: iSeq, nullable: false },
    { index: iLocal, nullable: true },
    { index: iTrue, nullable: true },
    ...sources.flatMap((s) => [s.p, s.lo, s.hi].map((index) => ({ index, nullable: true }))),
  ];
  const F1 = reader.fields + 1;
  let lastRun = '';
  return streamCheckedRows(reader, ints, out, (b, i) => {
    const C = out.columnsOut;
    const text = b.texts[i]!;
    const o = b.offsets;
    const base = i * F1;
    let run = sliceCell(text, o, base, iRun);
    if (run === lastRun)
      run = lastRun; // one string for the run id, not one per row
    else lastRun = run;
    const event = sliceCell(text, o, base, iEvent);
    const seq = sliceCell(text, o, base, iSeq);
    const local = sliceCell(text, o, base, iLocal);
    const truth = sliceCell(text, o, base, iTrue);
    for (const s of sources) {
      // The order of src/files/export-columns.ts READING_COLUMNS.
      C[0]!.push(run);
      C[1]!.push(event);
      C[2]!.push(seq);
      C[3]!.push(f.role);
      C[4]!.push(f.node);
      C[5]!.push(local);
      C[6]!.push(s.name);
      C[7]!.push(sliceCell(text, o, base, s.p));
      C[8]!.push(sliceCell(text, o, base, s.lo));
      C[9]!.push(sliceCell(text, o, base, s.hi));
      C[10]!.push(sliceCell(text, o, base, s.st));
      C[11]!.push(truth);
    }
    return sources.length;
  });
}

/** Append one echo/<node>.csv's rows to `out` (the stamps; the coordinator's sources read at e stay in the file). */
export async function exportEchoFile(f: { file: string; display: string; node: string }, out: TableWriter): Promise<string[]> {
  const reader = await CsvReader.open(f.file, f.display, { encoding: 'latin1', seqColumn: EVENT_COLUMNS.seq });
  const E = EVENT_COLUMNS;
  try {
    requireColumns(f.display, reader.header, [E.eventId, E.seq]);
  } catch (e) {
    await reader.close();
    throw e;
  }
  const col = indexer(reader.header);
  const S = ECHO_STAMPS;
  const iRun = col(E.runId);
  const iEvent = col(E.eventId);
  const iSeq = col(E.seq);
  const stamps = [S.send, S.recv, S.held, S.echoRecv, S.truth, S.sendKernel, S.heldKernel].map(col);
  const ints = [
    { index: iEvent, nullable: false },
    { index: iSeq, nullable: false },
    ...stamps.map((index) => ({ index, nullable: true })),
  ];
  const F = reader.fields;
  const cell = (b: CsvBatch, i: number, j: number) => (j < 0 ? '' : cellOf(b, i, j, F));
  return streamCheckedRows(reader, ints, out, (b, i) => {
    // The order of src/files/export-columns.ts ECHO_EXPORT_COLUMNS.
    const C = out.columnsOut;
    C[0]!.push(cell(b, i, iRun));
    C[1]!.push(f.node);
    C[2]!.push(cell(b, i, iEvent));
    C[3]!.push(cell(b, i, iSeq));
    for (let k = 0; k < stamps.length; k++) C[4 + k]!.push(cell(b, i, stamps[k]!));
    return 1;
  });
}
