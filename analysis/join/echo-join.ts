// The echo pass's join: coordinator.csv leads, and for each of its events every worker's row
// (workers/<node>.csv) and echo row (echo/<node>.csv) are taken by seq. Each worker and echo file
// is read only until it has passed seq + REORDER_WINDOW (rows arrive nearly in seq order), so memory
// stays bounded by the window, as in join.ts. The first row of an (event, node) is used; a later
// one, or one for an event already folded, is counted as late_or_repeated; one for an event the
// coordinator never logged as unknown.
import { REORDER_WINDOW } from './join.js';
import type { DecodedRowSource, DecodedRows } from '../load/decoded-rows.js';
import type { EchoRow, EchoRowReader } from '../load/echo-files.js';
import type { EchoJoinedEvent, EchoJoinedNode } from '../fold/brackets.js';

/** Rows of one file held by seq until their event is folded. */
class SeqQueue<T extends { seq: number }> {
  private readonly pending = new Map<number, T>();
  private passed = -Infinity;
  private prevSeq = -Infinity;
  private done = false;
  lateOrRepeated = 0;
  private folded = -Infinity;

  constructor(
    private readonly pull: () => Promise<T[] | null>,
    private readonly range: { lo: number; hi: number },
  ) {}

  /** Read until the file has passed `target` (see join.ts: a stray row far ahead moves nothing) or ended. */
  async fill(target: number): Promise<void> {
    while (!this.done && this.passed < target) {
      const rows = await this.pull();
      if (rows === null) {
        this.done = true;
        break;
      }
      for (const row of rows) {
        const seq = row.seq;
        if (seq <= this.folded || this.pending.has(seq)) {
          this.lateOrRepeated++;
          continue;
        }
        this.pending.set(seq, row);
        if (seq >= this.range.lo && seq <= this.range.hi) {
          this.passed = Math.max(this.passed, Math.min(seq, this.prevSeq));
          this.prevSeq = seq;
        }
      }
    }
  }

  take(seq: number): T | null {
    this.folded = seq;
    const r = this.pending.get(seq);
    if (r === undefined) return null;
    this.pending.delete(seq);
    return r;
  }

  /** After the last event: rows never taken (their events were never logged, or came before the first). */
  leftover(): number {
    return this.pending.size;
  }
}

interface WorkerRow {
  seq: number;
  vals: Float64Array;
  truth: number;
}

export interface EchoJoinInput {
  /** Started with the reference as its only source ([] for the system reference). */
  coordinator: DecodedRowSource;
  /** Per worker (in the fold's worker order): its event rows, started with the fold's sources, and its echo rows. */
  workers: { rows: DecodedRowSource | null; echo: EchoRowReader | null }[];
  sourceCount: number;
  seqRange: { lo: number; hi: number };
  /** The reference's status texts a value may be used with; null: the system reference. */
  usableStatus: ReadonlySet<string> | null;
  onEvent: (ev: EchoJoinedEvent) => void;
}

export interface EchoJoinCounters {
  /** Per worker: echo rows for events already folded, or repeated. */
  echoLate: number[];
  /** Per worker: echo rows for events the coordinator never logged. */
  echoUnknown: number[];
}

function decodedPull(src: DecodedRowSource, S: number): () => Promise<WorkerRow[] | null> {
  return async () => {
    const b: DecodedRows | null = await src.next();
    if (!b) return null;
    const out: WorkerRow[] = [];
    for (let i = 0; i < b.count; i++) {
      const seq = b.seq[i]!;
      if (!Number.isInteger(seq)) continue;
      out.push({ seq, vals: b.vals.subarray(i * S * 3, (i + 1) * S * 3), truth: b.truth[i]! }); // a view: no copy
    }
    return out;
  };
}

export async function joinEchoes(input: EchoJoinInput): Promise<EchoJoinCounters> {
  const S = input.sourceCount;
  const rowQ = input.workers.map((w) => (w.rows ? new SeqQueue(decodedPull(w.rows, S), input.seqRange) : null));
  const echoQ = input.workers.map((w) => {
    const e = w.echo;
    if (!e) return null;
    return new SeqQueue<EchoRow>(() => e.next(), input.seqRange);
  });
  const statuses: string[] = [''];
  let last = -Infinity;
  for (;;) {
    const b = await input.coordinator.next();
    if (!b) break;
    statuses.push(...b.newStatuses);
    for (let i = 0; i < b.count; i++) {
      const seq = b.seq[i]!;
      if (!Number.isInteger(seq) || seq <= last) continue; // a repeated coordinator row: the first is used
      last = seq;
      const target = seq + REORDER_WINDOW;
      const nodes: EchoJoinedNode[] = [];
      for (let w = 0; w < input.workers.length; w++) {
        const rq = rowQ[w];
        const eq = echoQ[w];
        if (rq) await rq.fill(target);
        if (eq) await eq.fill(target);
        const row = rq ? rq.take(seq) : null;
        nodes.push({ vals: row?.vals ?? null, trueRecv: row?.truth ?? NaN, echo: eq ? eq.take(seq) : null });
      }
      let refLo = NaN;
      if (input.usableStatus) {
        const lo = b.vals[i * 3 + 1]!;
        if (input.usableStatus.has(statuses[b.status[i]!] ?? '')) refLo = lo;
      }
      input.onEvent({ seq, send: b.local[i]!, trueSend: b.truth[i]!, refLoAtSend: refLo, nodes });
    }
  }
  return {
    echoLate: echoQ.map((q) => q?.lateOrRepeated ?? 0),
    echoUnknown: echoQ.map((q) => q?.leftover() ?? 0),
  };
}
