// The echo pass of `analyze` (docs/architecture.md): after the main join, coordinator.csv, the
// workers' rows and echo/<node>.csv are streamed once more, joined by seq (join/echo-join.ts) and
// folded into the `echo` and `bracketed` sections (fold/brackets.ts). Kept apart from the main join
// so that runs without echoes are analysed exactly as before and the fold thread is untouched.
import path from 'node:path';
import { EventRowReader, eventReadOptions } from './load/event-rows.js';
import { COORDINATOR_ROLE, WORKER_ROLE, type DecodedRowSource } from './load/decoded-rows.js';
import { EchoRowReader, echoAsked, locateEchoFiles, readEchoSummary, type EchoSummaryRead } from './load/echo-files.js';
import { joinEchoes } from './join/echo-join.js';
import { BracketFolder } from './fold/brackets.js';
import type { SourceDef } from './join/joined.js';
import type { WindowSize } from './metrics/windows.js';
import type { TimelineConfig } from './fold/block-folder.js';
import type { Anchor } from './load/ns-parse.js';
import type { BracketedSection, EchoMode, EchoSection } from './stats/bracket-types.js';
import type { BracketSeries } from './stats/figures-data.js';
import type { InputFile } from './stats/types.js';
import { sourceColumnNames } from '../src/files/columns.js';

export const SYSTEM_REFERENCE = 'system';

/**
 * Throws when `reference` is neither 'system' nor an interval source of the coordinator
 * (its S_lo_ns and S_hi_ns columns in coordinator.csv), echoing what was typed.
 */
export function checkReference(reference: string, coordinatorHeader: readonly string[]): void {
  if (reference === SYSTEM_REFERENCE) return;
  const c = sourceColumnNames(reference);
  if (coordinatorHeader.includes(c.lo) && coordinatorHeader.includes(c.hi)) return;
  const intervals = coordinatorHeader.filter((h) => h.endsWith('_lo_ns')).map((h) => h.slice(0, -'_lo_ns'.length));
  const has = coordinatorHeader.includes(c.point)
    ? ` (it has ${c.point} but no ${c.lo}/${c.hi}: a point source cannot bound true time)`
    : '';
  throw new Error(
    `--reference ${JSON.stringify(reference)}: the coordinator has no interval source of that name${has}; use --reference system (the coordinator's own clock)` +
      (intervals.length > 0 ? ` or one of its interval sources: ${intervals.join(', ')}` : ' (coordinator.csv has no interval source)'),
  );
}

export interface EchoPassInput {
  runDir: string;
  coordinatorCsv: string;
  /** Worker files in the fold's order (their CSV, when present). */
  workers: { node: string; csv: string | null }[];
  sources: SourceDef[];
  windows: WindowSize[];
  timeline: TimelineConfig | null;
  anchor: Anchor;
  seqRange: { lo: number; hi: number } | undefined;
  reference: string;
  manifest: Record<string, unknown> | null;
  warn: (m: string) => void;
}

export interface EchoPassResult {
  echo: EchoSection | null;
  bracketed: BracketedSection | null;
  series: BracketSeries[];
  inputs: InputFile[];
}

/** The echo mode from the manifest's config (`echo`: 'on' | 'off' | N | {every: N}); null when it does not say. */
function manifestMode(manifest: Record<string, unknown> | null): EchoMode | null {
  const config = manifest?.['config'];
  const v = config && typeof config === 'object' ? (config as Record<string, unknown>)['echo'] : undefined;
  if (v === 'on' || v === 'off') return v;
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : (v as { every?: unknown } | undefined)?.every;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? { every: n } : null;
}

export async function echoPass(inp: EchoPassInput): Promise<EchoPassResult> {
  const located = await locateEchoFiles(inp.runDir);
  if (!located.dir) return { echo: null, bracketed: null, series: [], inputs: [] };
  const rel = (f: string) => path.relative(inp.runDir, f);
  const inputs: InputFile[] = [];
  let summary: EchoSummaryRead | null = null;
  if (located.summary) {
    summary = readEchoSummary(located.summary);
    for (const p of summary.problems) inp.warn(`${rel(located.summary)}: ${p}; ignored`);
  }
  const mode = summary?.mode ?? manifestMode(inp.manifest);
  const reference = inp.reference === SYSTEM_REFERENCE ? null : inp.reference;
  const opened: { close(): void }[] = [];
  const nodes = inp.workers.map((w) => w.node);
  const echoFiles = new Map(located.files.map((f) => [f.node, f.file]));
  for (const n of echoFiles.keys())
    if (!nodes.includes(n)) inp.warn(`${rel(echoFiles.get(n)!)}: echoes from ${n}, a node without workers/${n}.csv; not used`);
  const names = inp.sources.map((s) => s.name);
  try {
    const coordinator: DecodedRowSource = await EventRowReader.open(
      inp.coordinatorCsv,
      rel(inp.coordinatorCsv),
      COORDINATOR_ROLE,
      eventReadOptions(inp.workers.length, true),
    );
    opened.push(coordinator);
    coordinator.start(reference === null ? [] : [reference], inp.anchor.sec);
    const workers: { rows: DecodedRowSource | null; echo: EchoRowReader | null }[] = [];
    const echoReaders: (EchoRowReader | null)[] = [];
    for (const w of inp.workers) {
      let rows: DecodedRowSource | null = null;
      let echo: EchoRowReader | null = null;
      const ef = echoFiles.get(w.node);
      if (ef) {
        try {
          const opening = await EchoRowReader.open(ef, rel(ef), inp.anchor, reference);
          echo = opening;
          opened.push({ close: () => void opening.reader.close() });
        } catch (err) {
          inp.warn(`${rel(ef)}: ${(err as Error).message}; this worker's echoes are not used`);
        }
      }
      // Also without an echo file: its asked events are then all missing (none with --echo off).
      if (w.csv && (ef || mode !== 'off')) {
        try {
          const opening = await EventRowReader.open(w.csv, rel(w.csv), WORKER_ROLE, eventReadOptions(inp.workers.length, false));
          opened.push(opening);
          opening.start(names, inp.anchor.sec);
          rows = opening;
        } catch {
          // The main pass has warned about this file; the echoes still give brackets, without readings.
          rows = null;
        }
      }
      workers.push({ rows, echo });
      echoReaders.push(echo);
    }
    const folder = new BracketFolder({
      sources: inp.sources,
      workers: nodes,
      windows: inp.windows,
      timeline: inp.timeline,
      reference,
      asked: (seq) => echoAsked(mode, seq),
    });
    const counters = await joinEchoes({
      coordinator,
      workers,
      sourceCount: names.length,
      seqRange: inp.seqRange ?? { lo: -Infinity, hi: Infinity },
      usableStatus: reference === null ? null : new Set(['', 'ok', 'degraded']),
      onEvent: (ev) => folder.add(ev),
    });
    const echoNodes = nodes.map((node, w) => {
      const c = folder.nodeCounts(w);
      const r = echoReaders[w];
      if (r) {
        inputs.push({
          path: r.reader.displayPath,
          role: 'echo',
          node,
          rows: r.reader.rowsRead,
          skipped_rows: r.reader.skipped,
          torn_tail: r.reader.tornTail,
        });
        for (const m of r.reader.warnings) inp.warn(m);
      }
      if (counters.echoUnknown[w]! > 0)
        inp.warn(`echo/${node}.csv: ${counters.echoUnknown[w]} rows for events the coordinator never logged; not used`);
      if (counters.echoLate[w]! > 0)
        inp.warn(`echo/${node}.csv: ${counters.echoLate[w]} rows repeat an event or arrived after it left the join window; not used`);
      if (c.inconsistent > 0)
        inp.warn(
          `echo/${node}.csv: ${c.inconsistent} echo rows contradict themselves (round trip shorter than the hold, δ < 0) or lack s, e or h; counted as inconsistent, not used`,
        );
      return {
        node,
        asked: summary?.asked ?? null,
        received: summary?.received_by_node?.[node] ?? (summary?.received_by_node ? 0 : null),
        recorded: c.echoes,
        missing: mode === null ? null : c.missing,
        late_or_repeated: counters.echoLate[w]!,
        unknown_events: counters.echoUnknown[w]!,
        inconsistent: c.inconsistent,
        delta: folder.nodeDelta(w).summarize(),
      };
    });
    if (located.summary)
      inputs.push({ path: rel(located.summary), role: 'echo_summary', node: null, rows: 1, skipped_rows: 0, torn_tail: false });
    const echo: EchoSection = {
      mode,
      stamp: summary?.stamp ?? null,
      asked: summary?.asked ?? null,
      rejected: summary?.rejected ?? null,
      nodes: echoNodes,
    };
    const anyEcho = echoNodes.some((n) => n.recorded > 0);
    return {
      echo,
      bracketed: anyEcho ? folder.section(inp.reference) : null,
      series: anyEcho ? folder.series() : [],
      inputs,
    };
  } finally {
    for (const o of opened) o.close();
  }
}
