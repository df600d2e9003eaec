import type { ClockSource, LocalClock, Reading } from '../clock/types.js';
import type { Logger } from '../cli/logger.js';
import { BatchedCsvWriter, csvCells, type Cell } from '../files/csv-writer.js';
import { echoColumns } from '../files/columns.js';
import { ECHO_REJECT_REASONS, type EchoMode, type EchoRejectReason, type EchoSummary } from '../files/echo-summary.js';
import { writeJsonAtomic } from '../files/atomic-json.js';
import { isValidNodeId } from '../files/paths.js';
import { decodeMessage, ebSuffix, MAX_DATAGRAM_BYTES, type EchoBackEntry, type EchoedEvent } from '../protocol/messages.js';

/** The most recent sends remembered (s and whether it asked): 2^20 events, 52 s at 20,000 events/s. */
export const ECHO_WINDOW = 1 << 20;
/** At most one piggyback per worker in this long (ns), with at most this many entries. */
export const PIGGYBACK_EVERY_NS = 50_000_000n;
export const PIGGYBACK_ENTRIES = 2;
/** Echo arrivals kept per worker for the next piggyback (the newest). */
const PENDING_MAX = 8;

export interface EchoRecorderOptions {
  runId: string;
  key: Buffer | null;
  mode: EchoMode;
  /** Events the schedule will send (sizes the window of sends). */
  total: number;
  workers: number;
  /** The coordinator's stamped sources, read at each echo's arrival (same order as coordinator.csv). */
  stamped: ClockSource[];
  clock: LocalClock;
  stamp: 'kernel' | 'user';
  echoCsv: (node: string) => string;
  summaryFile: string;
  log: Logger;
  onFatal: (e: Error) => void;
}

/** A node's echo file; `prefix`: the text its rows start with (run id and node). */
interface EchoWriter {
  writer: BatchedCsvWriter;
  opened: Promise<void>;
  prefix: string;
}

/**
 * A worker's last echo datagram, held until the next one says (`fu`) by how much the kernel's
 * transmit stamp came after its holds were read: its rows are then written with held_kernel_ns.
 */
interface HeldDatagram {
  firstSeq: number;
  w: EchoWriter;
  /** Each row's text up to its last cell, and its hold h. */
  lines: string[];
  holds: bigint[];
  /** The piggyback entries of the same records (their h gains Δ too). */
  entries: Pending[];
}

/** An echo arrival kept for the piggyback; text and δ are made only when it is sent. */
interface Pending {
  seq: number;
  s: bigint;
  e: bigint;
  r: string;
  h: string;
}

/**
 * One echo/<node>.csv row: s, r, h, e, the coordinator's sources read at e, the truth at e, the
 * kernel's transmit stamp of the event (its first datagram; null: none), then the hold from the
 * kernel's transmit stamp of the echo (the worker's follow-up; null: none).
 */
export function echoRow(
  runId: string,
  node: string,
  { seq, r, h }: EchoedEvent,
  sendNs: bigint,
  echoRecvNs: bigint,
  readings: readonly Reading[],
  trueEchoRecvNs: bigint | null,
  sendKernelNs: bigint | null,
  heldKernelNs: bigint | null,
): Cell[] {
  const row: Cell[] = [runId, node, seq, seq, sendNs, r, h, echoRecvNs];
  for (const r of readings) row.push(r.point_ns, r.lo_ns, r.hi_ns, r.status);
  row.push(trueEchoRecvNs, sendKernelNs, heldKernelNs);
  return row;
}

/**
 * The coordinator's side of the echoes: remembers each sent event's stamp s (typed arrays over a
 * window of recent sends), validates every echo datagram (authentic, this run, an event that asked,
 * the node that first echoed on that worker's socket, first echo of its (event, node)), records
 * one row per accepted echo, and keeps recent arrivals to piggyback back to their worker.
 */
export class EchoRecorder {
  private readonly cap: number;
  private readonly sendNs: BigInt64Array;
  /** The kernel's transmit stamp per slot (local clock), valid where hasKernel is 1. */
  private readonly kernelNs: BigInt64Array;
  private readonly hasKernel: Uint8Array;
  /** seq + 1 of the send in each slot that asked for an echo; 0: none. */
  private readonly askedSeq: Uint32Array;
  /** Per worker: seq + 1 of the echo recorded in each slot. */
  private readonly seen: Uint32Array[];
  private readonly nodes: (string | null)[];
  private readonly writers = new Map<string, EchoWriter>();
  private readonly pending: Pending[][];
  private readonly held: (HeldDatagram | null)[];
  /** Echo datagrams whose follow-up gave the kernel's transmit stamp (their rows have held_kernel_ns). */
  private followUps = 0;
  private readonly lastPiggyback: bigint[];
  private readonly readings: Reading[];
  private sent = 0;
  private asked = 0;
  private unstamped = 0;
  private readonly received: Record<string, number> = {};
  private readonly rejected = Object.fromEntries(ECHO_REJECT_REASONS.map((r) => [r, 0])) as Record<EchoRejectReason, number>;

  constructor(private readonly o: EchoRecorderOptions) {
    this.cap = Math.max(1, Math.min(o.total, ECHO_WINDOW));
    this.sendNs = new BigInt64Array(this.cap);
    this.kernelNs = new BigInt64Array(this.cap);
    this.hasKernel = new Uint8Array(this.cap);
    this.askedSeq = new Uint32Array(this.cap);
    this.seen = Array.from({ length: o.workers }, () => new Uint32Array(this.cap));
    this.nodes = new Array<string | null>(o.workers).fill(null);
    this.pending = Array.from({ length: o.workers }, (): Pending[] => []);
    this.held = new Array<HeldDatagram | null>(o.workers).fill(null);
    this.lastPiggyback = new Array<bigint>(o.workers).fill(-PIGGYBACK_EVERY_NS);
    this.readings = new Array<Reading>(o.stamped.length);
  }

  /** Send path: event `seq` (the next one) left with stamp `sendNs`; `asked` when it carried `ec`. */
  noteSend(seq: number, sendNs: bigint, kernelNs: bigint | null, asked: boolean): void {
    const slot = seq % this.cap;
    this.sendNs[slot] = sendNs;
    this.hasKernel[slot] = kernelNs === null ? 0 : 1;
    if (kernelNs !== null) this.kernelNs[slot] = kernelNs;
    this.askedSeq[slot] = asked ? seq + 1 : 0;
    this.sent = seq + 1;
    if (asked) this.asked++;
  }

  private reject(reason: EchoRejectReason, detail: string): void {
    const n = ++this.rejected[reason];
    if (n <= 5 || n % 1000 === 0) this.o.log.warn(`echo not recorded: ${reason}`, { detail, count: n });
  }

  /**
   * A datagram on worker `i`'s event socket; `arrivalMono` its kernel arrival on CLOCK_MONOTONIC
   * (null: none, stamped now). A datagram that fails authentication or shape, or names another
   * node, is one rejection; past that each record is judged (and counted) on its own.
   */
  onDatagram(i: number, buf: Buffer, arrivalMono: bigint | null): void {
    let mono = arrivalMono;
    if (mono === null) {
      mono = process.hrtime.bigint();
      if (this.o.stamp === 'kernel') this.unstamped++;
    }
    const d = decodeMessage(buf, this.o.runId, this.o.key);
    if (!d.ok) return this.reject(d.reason, d.detail);
    if (d.msg.k !== 'echo') return this.reject('bad_shape', `kind ${d.msg.k} on an event socket`);
    const msg = d.msg;
    const node = this.nodes[i];
    if (node === null || node === undefined) {
      if (!isValidNodeId(msg.node)) return this.reject('bad_shape', `node ${msg.node}`);
      if (this.nodes.includes(msg.node)) return this.reject('node_mismatch', `${msg.node} already echoes on another worker's socket`);
    } else if (msg.node !== node) return this.reject('node_mismatch', `${msg.node} on ${node}'s socket`);
    this.settleHeld(i, msg.fu ?? null);

    // The coordinator's clock and sources at e, read once for every record of the datagram, and
    // the text they share: each record's row is its own cells between that prefix and suffix.
    let eNs: bigint | null = null;
    let suffix = '';
    let w: EchoWriter | null = null;
    let hd: HeldDatagram | null = null;
    let accepted = 0;
    const seen = this.seen[i]!;
    const p = this.pending[i]!;
    const r0 = BigInt(msg.r0);
    for (const [seq, dr, held] of msg.x) {
      if (seq >= this.sent) {
        this.reject('unknown_event', `seq ${seq}`);
        continue;
      }
      if (seq < this.sent - this.cap) {
        this.reject('too_old', `seq ${seq}, last sent ${this.sent - 1}`);
        continue;
      }
      const slot = seq % this.cap;
      if (this.askedSeq[slot] !== seq + 1) {
        this.reject('unknown_event', `seq ${seq} did not ask for an echo`);
        continue;
      }
      if (seen[slot] === seq + 1) {
        this.reject('duplicate', `seq ${seq} from ${msg.node}`);
        continue;
      }
      seen[slot] = seq + 1;
      // The socket belongs to the node of its first accepted record.
      this.nodes[i] = msg.node;
      if (eNs === null) {
        const clock = this.o.clock;
        let trueENs: bigint | null = null;
        if (clock.atMonoNs) {
          eNs = clock.atMonoNs(mono);
          if (clock.simulated) trueENs = clock.lastTrueNs ?? null;
        } else {
          const age = process.hrtime.bigint() - mono;
          eNs = clock.nowNs() - age;
          if (clock.simulated && clock.lastTrueNs !== undefined) trueENs = clock.lastTrueNs - age;
        }
        const stamped = this.o.stamped;
        for (let j = 0; j < stamped.length; j++) this.readings[j] = stamped[j]!.read(eNs, mono);
        suffix =
          ',' + csvCells(echoRow(this.o.runId, msg.node, { seq, r: '', h: '' }, 0n, eNs, this.readings, trueENs, null, null).slice(7, -2));
      }
      const sNs = this.sendNs[slot]!;
      const kNs = this.hasKernel[slot] === 1 ? this.kernelNs[slot]! : null;
      const r = (r0 + BigInt(dr)).toString();
      const h = String(held);
      w ??= this.writerFor(msg.node);
      hd ??= { firstSeq: msg.x[0]![0], w, lines: [], holds: [], entries: [] };
      hd.lines.push(w.prefix + seq + ',' + seq + ',' + sNs + ',' + r + ',' + h + suffix + ',' + (kNs ?? ''));
      hd.holds.push(BigInt(held));
      accepted++;
      if (p.length === PENDING_MAX) p.shift();
      // The kernel's stamp of the event's first datagram is a later lower bound on every worker's
      // datagram leaving than the JS stamp: the channel's bracket narrows and stays valid.
      const entry = { seq, s: kNs ?? sNs, e: eNs, r, h };
      p.push(entry);
      hd.entries.push(entry);
    }
    if (accepted > 0) this.received[msg.node] = (this.received[msg.node] ?? 0) + accepted;
    this.held[i] = hd;
  }

  /**
   * Writes worker `i`'s held datagram: with held_kernel_ns = h + Δ when `fu` (from its next
   * datagram) names it, else with that cell empty. The piggyback entries still waiting gain Δ too.
   */
  private settleHeld(i: number, fu: [number, string] | null): void {
    const hd = this.held[i];
    if (!hd) return;
    this.held[i] = null;
    const delta = fu !== null && fu[0] === hd.firstSeq ? BigInt(fu[1]) : null;
    if (delta !== null) this.followUps++;
    for (let k = 0; k < hd.lines.length; k++)
      hd.w.writer.appendLine(hd.lines[k] + ',' + (delta === null ? '' : (hd.holds[k]! + delta).toString()));
    if (delta !== null) for (const e of hd.entries) e.h = (BigInt(e.h) + delta).toString();
  }

  private writerFor(node: string): EchoWriter {
    let w = this.writers.get(node);
    if (!w) {
      const writer = new BatchedCsvWriter(this.o.echoCsv(node), echoColumns(this.o.stamped.map((s) => s.name)), 100, this.o.onFatal);
      // Rows appended before the file is open wait in memory; close() waits for the open.
      w = { writer, opened: writer.open().catch((e: Error) => this.o.onFatal(e)), prefix: csvCells([this.o.runId, node]) + ',' };
      this.writers.set(node, w);
    }
    return w;
  }

  /** Whether some worker has echo arrivals to piggyback at `nowMono` (the send path asks once per event). */
  piggybackDue(nowMono: bigint): boolean {
    for (let i = 0; i < this.pending.length; i++) {
      if (this.pending[i]!.length > 0 && nowMono - this.lastPiggyback[i]! >= PIGGYBACK_EVERY_NS) return true;
    }
    return false;
  }

  /**
   * The `eb` suffix for worker `i` on an event whose open text is `openLength` bytes (UTF-8) long, or null
   * (nothing pending, too soon, or no room): the entries with the smallest δ = (e − s) − h plus what
   * the hold adds to the worker's bound (2 × 500 ppm of h: two oscillators' rates, as the channel source counts it), then
   * the pending arrivals are dropped.
   */
  piggyback(i: number, nowMono: bigint, openLength: number): string | null {
    const p = this.pending[i]!;
    if (p.length === 0 || nowMono - this.lastPiggyback[i]! < PIGGYBACK_EVERY_NS) return null;
    const best = p
      .map((x) => ({ x, delta: x.e - x.s - BigInt(x.h) + BigInt(x.h) / 1000n }))
      .sort((a, b) => (a.delta < b.delta ? -1 : a.delta > b.delta ? 1 : 0))
      .slice(0, PIGGYBACK_ENTRIES)
      .map(({ x }): EchoBackEntry => [x.seq, x.s.toString(), x.e.toString(), x.r, x.h]);
    const suffix = ebSuffix(best);
    if (openLength + suffix.length + 1 > MAX_DATAGRAM_BYTES) return null;
    p.length = 0;
    this.lastPiggyback[i] = nowMono;
    return suffix;
  }

  summary(): EchoSummary {
    return {
      mode: this.o.mode,
      asked: this.asked,
      stamp: this.o.stamp,
      received_by_node: { ...this.received },
      rejected: { ...this.rejected },
      ...(this.o.stamp === 'kernel' ? { unstamped: this.unstamped } : {}),
      follow_ups: this.followUps,
    };
  }

  /** Flush and close every echo file, then write echo/summary.json (atomically). */
  async close(): Promise<void> {
    for (let i = 0; i < this.held.length; i++) this.settleHeld(i, null); // no follow-up will come
    for (const { writer, opened } of this.writers.values()) {
      await opened;
      await writer.close();
    }
    await writeJsonAtomic(this.o.summaryFile, this.summary());
  }
}
