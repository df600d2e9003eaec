// The scatter-plot sample of stats.json (`samples`): every stride-th event's stamps, kept as
// numbers in typed arrays. At 64 workers the sample is 2,000 events × 64 workers × 3 sources of
// [point, lo, hi]: as objects, ~1.7 million small ones that every garbage collection walked, for
// one pass of JSON. stats.samples is a plain object whose `events` are made on first read; its
// JSON text is made straight from the numbers (JSON_PIECES), the same text JSON.stringify gives.
import type { JoinedEvent, SourceDef } from '../join/joined.js';
import type { EventSamples } from '../stats/types.js';
import { JSON_PIECES } from '../../src/files/json-pieces.js';

/**
 * The sample holds about SAMPLE_EVENTS events at up to SAMPLE_WORKERS workers; wider runs keep the
 * same number of worker cells (fewer events, every worker of each), so neither stats.json nor the
 * cost of writing it grows with the workers (at 64 workers the 2,000-event sample was 60 of its MB).
 */
const SAMPLE_EVENTS = 2000;
const SAMPLE_WORKERS = 4;

/** Every how many seqs an event goes into the sample, for a run spanning `span` seqs. */
export function statsSampleStride(span: number, workers: number): number {
  return Math.max(1, Math.ceil((span * Math.max(workers, SAMPLE_WORKERS)) / (SAMPLE_EVENTS * SAMPLE_WORKERS)));
}

type Triple = [number | null, number | null, number | null];
type SampleEvent = EventSamples['events'][number];

export class SampleStore {
  readonly seq: number[] = [];
  readonly eventId: string[] = [];
  readonly sendLocal: number[] = [];
  readonly trueSend: number[] = [];
  /** Per event: coordinator [point, lo, hi] per source, then per worker the same and its trueRecv. */
  readonly vals: Float64Array[] = [];
  /** Per event: 1 where the worker has a row. */
  readonly present: Uint8Array[] = [];
  private readonly names: string[];
  /** The order an object's keys take (integer-like names first), as indices: the text's member order. */
  private readonly sourceOrder: number[];
  private readonly nodeOrder: number[];

  constructor(
    sources: readonly SourceDef[],
    readonly nodes: readonly string[],
  ) {
    this.names = sources.map((s) => s.name);
    this.sourceOrder = keyOrder(this.names);
    this.nodeOrder = keyOrder(nodes);
  }

  get length(): number {
    return this.seq.length;
  }

  add(ev: JoinedEvent): void {
    const S3 = this.names.length * 3;
    const W = this.nodes.length;
    const v = new Float64Array(S3 + W * (S3 + 1));
    const present = new Uint8Array(W);
    const coord = ev.coord;
    for (let k = 0; k < S3; k++) v[k] = coord[k]!;
    for (let w = 0; w < W; w++) {
      const st = ev.workers[w];
      if (!st) continue;
      present[w] = 1;
      const at = S3 + w * (S3 + 1);
      const vals = st.vals; // copied by hand: a subarray view per worker cost more than the copy
      for (let k = 0; k < S3; k++) v[at + k] = vals[k]!;
      v[at + S3] = st.trueRecv;
    }
    this.seq.push(ev.seq);
    this.eventId.push(ev.eventId);
    this.sendLocal.push(ev.sendLocal);
    this.trueSend.push(ev.trueSend);
    this.vals.push(v);
    this.present.push(present);
  }

  /** Event i as stats.json's sample event (NaN → null). */
  event(i: number): SampleEvent {
    const names = this.names;
    const S3 = names.length * 3;
    const v = this.vals[i]!;
    const triple = (at: number): Triple => [nn(v[at]!), nn(v[at + 1]!), nn(v[at + 2]!)];
    const coordinator: Record<string, Triple> = {};
    for (let s = 0; s < names.length; s++) coordinator[names[s]!] = triple(s * 3);
    const workers: SampleEvent['workers'] = {};
    const trueRecv: Record<string, number | null> = {};
    for (let w = 0; w < this.nodes.length; w++) {
      if (this.present[i]![w] === 0) continue;
      const at = S3 + w * (S3 + 1);
      const m: Record<string, Triple> = {};
      for (let s = 0; s < names.length; s++) m[names[s]!] = triple(at + s * 3);
      workers[this.nodes[w]!] = m;
      trueRecv[this.nodes[w]!] = nn(v[at + S3]!);
    }
    return {
      seq: this.seq[i]!,
      event_id: this.eventId[i]!,
      send_rel_ns: nn(this.sendLocal[i]!),
      coordinator,
      workers,
      true_send_rel_ns: nn(this.trueSend[i]!),
      true_recv_rel_ns: trueRecv,
    };
  }

  /** Event i's JSON text at `depth` (JSON.stringify(this.event(i), null, 2), indented as there). */
  eventJson(i: number, depth: number): string {
    const L = this.layout?.depth === depth ? this.layout : (this.layout = layoutAt(depth, this.names, this.nodes));
    const S3 = this.names.length * 3;
    const v = this.vals[i]!;
    const present = this.present[i]!;
    // sources → [point, lo, hi] at `at`; `head` holds per source the text before its point
    const bySource = (at: number, head: string[], inner: string, close: string, end: string): string => {
      if (this.sourceOrder.length === 0) return '{}';
      let t = '{';
      let first = true;
      for (const s of this.sourceOrder) {
        const o = at + s * 3;
        t += (first ? '' : ',') + head[s] + num(v[o]!) + inner + num(v[o + 1]!) + inner + num(v[o + 2]!) + close;
        first = false;
      }
      return t + end;
    };
    let workers = '';
    let trueRecv = '';
    for (const w of this.nodeOrder) {
      if (present[w] === 0) continue;
      const at = S3 + w * (S3 + 1);
      workers += (workers ? ',' : '') + L.node[w] + bySource(at, L.workerHead, L.workerInner, L.workerClose, L.workerEnd);
      trueRecv += (trueRecv ? ',' : '') + L.node[w] + num(v[at + S3]!);
    }
    const p1 = L.p1;
    return (
      `{\n${p1}"seq": ${num(this.seq[i]!)},\n${p1}"event_id": ${JSON.stringify(this.eventId[i]!)},\n` +
      `${p1}"send_rel_ns": ${num(this.sendLocal[i]!)},\n${p1}"coordinator": ` +
      bySource(0, L.coordHead, L.coordInner, L.coordClose, L.coordEnd) +
      `,\n${p1}"workers": ${workers ? `{${workers}\n${p1}}` : '{}'},\n${p1}"true_send_rel_ns": ${num(this.trueSend[i]!)},\n` +
      `${p1}"true_recv_rel_ns": ${trueRecv ? `{${trueRecv}\n${p1}}` : '{}'}\n${L.p0}}`
    );
  }

  private layout: Layout | null = null;
}

/** The fixed text around an event's numbers at one depth, made once. */
interface Layout {
  depth: number;
  p0: string;
  p1: string;
  /** Per source: newline, indent, name, ': [', newline, indent (the coordinator's and a worker's). */
  coordHead: string[];
  coordInner: string;
  coordClose: string;
  coordEnd: string;
  workerHead: string[];
  workerInner: string;
  workerClose: string;
  workerEnd: string;
  /** Per worker: newline, indent, name, ': '. */
  node: string[];
}

function layoutAt(depth: number, names: readonly string[], nodes: readonly string[]): Layout {
  const pad = (d: number) => '  '.repeat(depth + d);
  const quoted = names.map((n) => JSON.stringify(n));
  return {
    depth,
    p0: pad(0),
    p1: pad(1),
    coordHead: quoted.map((q) => `\n${pad(2)}${q}: [\n${pad(3)}`),
    coordInner: `,\n${pad(3)}`,
    coordClose: `\n${pad(2)}]`,
    coordEnd: `\n${pad(1)}}`,
    workerHead: quoted.map((q) => `\n${pad(3)}${q}: [\n${pad(4)}`),
    workerInner: `,\n${pad(4)}`,
    workerClose: `\n${pad(3)}]`,
    workerEnd: `\n${pad(2)}}`,
    node: nodes.map((n) => `\n${pad(2)}${JSON.stringify(n)}: `),
  };
}

/**
 * stats.samples over `store`: a plain object whose `events` are made on first read, and whose
 * JSON text src/files/json-pieces.ts takes from JSON_PIECES (no objects made for it).
 */
export function sampleSet(store: SampleStore, stride: number): EventSamples {
  let events: SampleEvent[] | null = null;
  const set = { stride } as EventSamples;
  Object.defineProperty(set, 'events', {
    enumerable: true,
    get: () => (events ??= Array.from({ length: store.length }, (_, i) => store.event(i))),
  });
  Object.defineProperty(set, JSON_PIECES, {
    enumerable: false,
    value: function* (depth: number): Generator<string> {
      const p1 = '  '.repeat(depth + 1);
      yield `{\n${p1}"stride": ${num(stride)},\n${p1}"events": `;
      if (store.length === 0) yield '[]';
      else {
        const p2 = '  '.repeat(depth + 2);
        for (let i = 0; i < store.length; i++) yield `${i ? ',' : '['}\n${p2}${store.eventJson(i, depth + 2)}`;
        yield `\n${p1}]`;
      }
      yield `\n${'  '.repeat(depth)}}`;
    },
  });
  return set;
}

/** Indices of `names` in the order Object.keys lists them once set on an object, one by one. */
function keyOrder(names: readonly string[]): number[] {
  const o: Record<string, number> = {};
  names.forEach((n, i) => {
    o[n] = i;
  });
  return Object.keys(o).map((k) => o[k]!);
}

function nn(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

/** A number as JSON writes it (null when not finite). */
function num(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}
