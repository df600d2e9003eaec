import { MAX_ECHO_RECORDS, type FollowUp, type PendingEcho } from '../protocol/messages.js';
import { findTxStamp } from '../net/tx-stamp-match.js';

/** The default --echo-coalesce-ms: at most one echo datagram per 4 ms from a worker. */
export const ECHO_COALESCE_MS = 4;

export interface EchoBatcherOptions {
  encode: (records: readonly PendingEcho[], tMono: bigint, followUp: FollowUp | null) => Buffer[];
  /** Sends one datagram; throws on a failed send (counted by the batcher, never rethrown). */
  send: (buf: Buffer, port: number, address: string) => void;
  /** The socket's kernel transmit stamps, when it has them: send asking for the stamp, and the stamps taken so far. */
  tx?: () => { send(buf: Buffer, port: number, address: string): void; take(): (number | bigint)[] } | undefined;
  /** At most one datagram in this long (ms); 0: every echo leaves at once, alone. */
  coalesceMs: number;
  onSendError: (e: Error, address: string, port: number) => void;
}

/**
 * A worker's echoes, coalesced. An echo leaves at once when no datagram left in the last
 * `coalesceMs`; otherwise it waits, with the others that come meanwhile, until an event arrives
 * that much time after the last datagram (or the datagram is full). A timer sends what waits when
 * no such event comes, a millisecond later still, so that at steady rates the echoes leave from
 * the receive path and cost the worker no wake-up of their own. Each record keeps its own hold
 * h = t − arrival, t read just before the send, so a wait widens no bracket: δ = (e − s) − h
 * subtracts it (docs/protocol.md). What it saves is one send per event on the worker and one
 * receive per event on the coordinator.
 */
export class EchoBatcher {
  private pending: PendingEcho[] = [];
  private address = '';
  private port = 0;
  private lastSendMono = -(1n << 62n);
  private timer: NodeJS.Timeout | null = null;
  private readonly coalesceNs: bigint;
  /** Echo records sent, and the datagrams that carried them. */
  recordsSent = 0;
  datagramsSent = 0;
  /** Records whose datagram could not be sent. */
  recordsFailed = 0;
  /** Datagrams whose kernel transmit stamp was found (each reported in the next one's `fu`). */
  txStamped = 0;
  /** The last datagram's follow-up, carried by the next one. */
  private followUp: FollowUp | null = null;

  constructor(private readonly o: EchoBatcherOptions) {
    this.coalesceNs = BigInt(Math.round(o.coalesceMs * 1e6));
  }

  /** Event `seq`, received at `mono` with stamp `rNs`, asked for an echo by address:port. */
  add(seq: number, rNs: bigint, mono: bigint, address: string, port: number): void {
    if (this.pending.length > 0 && (address !== this.address || port !== this.port)) this.flush();
    this.address = address;
    this.port = port;
    this.pending.push({ seq, rNs, mono });
    // The event's arrival stands for "now": no clock read on the receive path.
    if (this.coalesceNs === 0n || this.pending.length >= MAX_ECHO_RECORDS || mono - this.lastSendMono >= this.coalesceNs) this.flush();
    else if (this.timer === null) {
      const waitMs = Number(this.lastSendMono + this.coalesceNs - mono) / 1e6 + 1;
      this.timer = setTimeout(() => this.flush(), Math.max(1, Math.ceil(waitMs)));
    }
  }

  /** Send what waits (also on the way out, before the worker says bye). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const n = this.pending.length;
    if (n === 0) return;
    const t = process.hrtime.bigint();
    const pending = this.pending;
    this.pending = [];
    this.lastSendMono = t;
    const followUp = this.followUp;
    this.followUp = null;
    try {
      const bufs = this.o.encode(pending, t, followUp);
      // One datagram (the usual case): ask for its transmit stamp, reported in the next one's `fu`.
      const tx = bufs.length === 1 ? this.o.tx?.() : undefined;
      for (const buf of bufs) {
        if (tx) tx.send(buf, this.port, this.address);
        else this.o.send(buf, this.port, this.address);
        this.datagramsSent++;
      }
      this.recordsSent += n;
      if (tx) {
        const k = findTxStamp(tx.take(), t, process.hrtime.bigint());
        if (k !== null) {
          this.followUp = { seq: pending[0]!.seq, deltaNs: k - t };
          this.txStamped++;
        }
      }
    } catch (e) {
      // A full socket buffer or an unreachable coordinator costs the echoes, never an event.
      this.recordsFailed += n;
      this.o.onSendError(e as Error, this.address, this.port);
    }
  }
}
