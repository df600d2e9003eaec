// The echo files of a run (src/files/columns.ts echoColumns, docs/csv-schema.md): echo/<node>.csv
// rows decoded into the numbers the brackets need, and echo/summary.json narrowed to what the
// `echo` section reports. Exact ns parsing as everywhere (ns-parse.ts); '' → NaN.
import { readEchoSummary as readContractSummary } from '../../src/files/echo-summary.js';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { CsvReader, type CsvBatch } from './csv-reader.js';
import { parseRelNsAt, type Anchor } from './ns-parse.js';
import { RUN_LAYOUT, runDirPaths } from '../../src/files/paths.js';
import { ECHO_STAMPS, EVENT_COLUMNS, sourceColumnNames } from '../../src/files/columns.js';

const ZERO: Anchor = { sec: 0, ns: 0n };

/** One echo row: s, r, e and the reference's readings at e relative to the anchor; h a duration. */
export interface EchoRow {
  seq: number;
  /** The coordinator's send stamp (JavaScript, just before the sends). */
  s: number;
  /** The kernel's transmit stamp of the event's first datagram (NaN: none, or an older file). */
  sKernel: number;
  /** The hold up to the kernel's transmit stamp of the echo (the worker's follow-up; NaN: none). */
  hKernel: number;
  r: number;
  h: number;
  e: number;
  /** The reference source's lo and hi at e (NaN without them, or for the system reference). */
  refLo: number;
  refHi: number;
  /** The reference's status at e ('' without a status column). */
  refStatus: string;
  /** Simulation: the true instant of the echo's arrival (NaN on real runs). */
  trueE: number;
}

/** echo/<node>.csv per node, sorted by node; empty when the run has no echo directory. */
export async function locateEchoFiles(
  runDir: string,
): Promise<{ dir: boolean; files: { node: string; file: string }[]; summary: string | null }> {
  const dir = path.join(runDir, RUN_LAYOUT.echoDir);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return { dir: false, files: [], summary: null };
  }
  const p = runDirPaths(runDir);
  const files = names
    .filter((f) => f.endsWith('.csv'))
    .map((f) => f.slice(0, -4))
    .sort((a, b) => a.localeCompare(b))
    .map((node) => ({ node, file: p.echoCsv(node) }));
  return { dir: true, files, summary: existsSync(p.echoSummary) ? p.echoSummary : null };
}

/** Streams echo rows in file order, batch by batch. */
export class EchoRowReader {
  private readonly at: {
    seq: number;
    s: number;
    sKernel: number;
    hKernel: number;
    r: number;
    h: number;
    e: number;
    lo: number;
    hi: number;
    st: number;
    truth: number;
  };

  private constructor(
    readonly reader: CsvReader,
    private readonly anchor: Anchor,
    reference: string | null,
  ) {
    const h = reader.header;
    const c = reference === null ? null : sourceColumnNames(reference);
    this.at = {
      seq: h.indexOf(EVENT_COLUMNS.seq),
      s: h.indexOf(ECHO_STAMPS.send),
      sKernel: h.indexOf(ECHO_STAMPS.sendKernel),
      hKernel: h.indexOf(ECHO_STAMPS.heldKernel),
      r: h.indexOf(ECHO_STAMPS.recv),
      h: h.indexOf(ECHO_STAMPS.held),
      e: h.indexOf(ECHO_STAMPS.echoRecv),
      lo: c ? h.indexOf(c.lo) : -1,
      hi: c ? h.indexOf(c.hi) : -1,
      st: c ? h.indexOf(c.status) : -1,
      truth: h.indexOf(ECHO_STAMPS.truth),
    };
    const missing = [ECHO_STAMPS.send, ECHO_STAMPS.held, ECHO_STAMPS.echoRecv, EVENT_COLUMNS.seq].filter((n) => h.indexOf(n) < 0);
    if (missing.length > 0)
      throw new Error(`no ${missing.join(', ')} column (an echo file has the columns of echoColumns in src/files/columns.ts)`);
    if (c && (this.at.lo < 0 || this.at.hi < 0)) throw new Error(`no ${c.lo} / ${c.hi} columns for the reference ${reference}`);
  }

  /** `reference`: the interval source whose lo and hi are read (null: the coordinator's own clock). */
  static async open(file: string, displayPath: string, anchor: Anchor, reference: string | null): Promise<EchoRowReader> {
    const reader = await CsvReader.open(file, displayPath, { encoding: 'latin1', seqColumn: EVENT_COLUMNS.seq });
    try {
      return new EchoRowReader(reader, anchor, reference);
    } catch (err) {
      await reader.close();
      throw err;
    }
  }

  /** The next batch of rows (empty array: none in this chunk), null at end of file. */
  async next(): Promise<EchoRow[] | null> {
    const b = await this.reader.next();
    if (!b) return null;
    return this.decode(b);
  }

  private decode(b: CsvBatch): EchoRow[] {
    const F1 = this.reader.fields + 1;
    const a = this.at;
    const out: EchoRow[] = [];
    for (let i = 0; i < b.count; i++) {
      const text = b.texts[i]!;
      const base = i * F1;
      const cell = (j: number, anchor: Anchor): number => {
        if (j < 0) return NaN;
        const v = parseRelNsAt(text, b.offsets[base + j]!, b.offsets[base + j + 1]! - 1, anchor);
        return v === undefined ? NaN : v;
      };
      const seq = cell(a.seq, ZERO);
      if (!Number.isInteger(seq)) continue;
      out.push({
        seq,
        s: cell(a.s, this.anchor),
        sKernel: cell(a.sKernel, this.anchor),
        hKernel: cell(a.hKernel, ZERO),
        r: cell(a.r, this.anchor),
        h: cell(a.h, ZERO),
        e: cell(a.e, this.anchor),
        refLo: cell(a.lo, this.anchor),
        refHi: cell(a.hi, this.anchor),
        refStatus: a.st < 0 ? '' : text.slice(b.offsets[base + a.st]!, b.offsets[base + a.st + 1]! - 1),
        trueE: cell(a.truth, this.anchor),
      });
    }
    return out;
  }
}

/** echo/summary.json as the `echo` section uses it; fields of the wrong type are left out (null). */
export interface EchoSummaryRead {
  mode: 'on' | 'off' | { every: number } | null;
  asked: number | null;
  stamp: string | null;
  received_by_node: Record<string, number> | null;
  rejected: Record<string, number> | null;
  problems: string[];
}

/** The contract's reader (src/files/echo-summary.ts), each missing or mistyped field as null. */
export function readEchoSummary(file: string): EchoSummaryRead {
  const { summary, problems } = readContractSummary(file);
  return {
    mode: summary?.mode ?? null,
    asked: summary?.asked ?? null,
    stamp: summary?.stamp ?? null,
    received_by_node: summary?.received_by_node ?? null,
    rejected: summary?.rejected ?? null,
    problems,
  };
}

/** Was event `seq` asked for an echo under this mode? null when the mode is unknown. */
export function echoAsked(mode: EchoSummaryRead['mode'], seq: number): boolean | null {
  if (mode === null) return null;
  if (mode === 'on') return true;
  if (mode === 'off') return false;
  return seq % mode.every === 0;
}
