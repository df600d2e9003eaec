import dgram, { type Socket } from 'node:dgram';
import type { Logger } from '../cli/logger.js';
import type { WorkerAddress } from './control.js';
import { loadUdpStampAddon, NO_NATIVE_ENV, type UdpStampAddon, type UdpStampHandle } from '../net/udp-stamp-addon.js';
import { findTxStamp, SEND_KERNEL_REASONS, type SendKernelReason } from './tx-stamps.js';

/** A datagram that came back on worker `i`'s event socket (an echo); `arrivalMono` on CLOCK_MONOTONIC, null if the kernel gave no stamp. */
export type OnEventSocketDatagram = (i: number, buf: Buffer, arrivalMono: bigint | null) => void;

/** One event socket: a synchronous send to its worker. */
interface EventSocket {
  /** stamp: ask the kernel for this datagram's transmit stamp (sockets with `takeTx` only). */
  send(buf: Buffer, stamp: boolean): void;
  close(): Promise<void>;
  /** Kernel transmit stamps on: the stamps collected so far ([id, monoNs, …]). */
  takeTx?: () => (number | bigint)[];
}

/** The kernel's transmit instant of an event's first datagram (CLOCK_MONOTONIC), or why there is none. */
export type KernelSend = { mono: bigint } | { reason: SendKernelReason };

/** Per-datagram decision of the event-path fault injector (simulations only). */
export interface EventPathFaults {
  decide(workerIndex: number, seq: number): { drop: boolean; delayNs: number; duplicates: number };
}

/**
 * The event datagrams' way out: one UDP socket per worker, and each send is one synchronous
 * sendmsg(2) made before `send` returns. Through an unconnected dgram socket Node first resolves
 * the address and defers the sendmsg through process.nextTick, i.e. after the rest of the event's
 * work (and, behind schedule, after a whole burst of late events).
 *   kernel: a udp_stamp addon socket (native/udp-stamp/udp_stamp.c) per worker: sendto(2) is
 *           synchronous, and the echoes that come back carry the kernel's SO_TIMESTAMPNS arrival.
 *           About as fast as a connected dgram send (~5 µs each on loopback, docs/performance.md).
 *   user:   a connected dgram socket per worker (synchronous sendmsg); echoes are stamped first
 *           thing in their JS callback. Used when the addon does not load.
 * Control messages (ready?, end) and the workers' replies stay on the coordinator's own socket.
 */
export class EventSender {
  /** (worker, error code) pairs already logged: each kind of error is logged once per worker. */
  private errorsLogged = new Set<string>();
  private closed = false;
  private delayed = new Set<NodeJS.Timeout>();
  /** Sends that failed (logged once per worker and kind). */
  sendErrors = 0;
  /** The socket of the current send()'s first datagram that left synchronously (the one stamped). */
  private first = -1;
  private sendStartMono = 0n;

  private constructor(
    private readonly sockets: EventSocket[],
    private readonly workers: WorkerAddress[],
    private readonly faults: EventPathFaults | null,
    private readonly log: Logger,
    /** What the echoes' arrival stamps are. */
    readonly stampKind: 'kernel' | 'user',
    /** Why events carry no kernel send stamp; null: they do (kernelSend()). */
    readonly txUnavailable: SendKernelReason | null,
  ) {}

  /**
   * Open one socket per worker. `stamp` auto: kernel when the addon loads (else user, with the
   * reason logged when echoes are received). `onDatagram` receives what comes back on the event
   * sockets (echoes); null: nothing is expected back (--echo off).
   */
  static async open(
    workers: WorkerAddress[],
    faults: EventPathFaults | null,
    log: Logger,
    onDatagram: OnEventSocketDatagram | null = null,
    stamp: 'auto' | 'kernel' | 'user' = 'auto',
  ): Promise<EventSender> {
    let addon: UdpStampAddon | null = null;
    if (stamp !== 'user') {
      const a = loadUdpStampAddon();
      if ('addon' in a) addon = a.addon;
      else if (stamp === 'kernel') throw new Error(`kernel stamps for echoes are unavailable: ${a.error}`);
      else if (onDatagram && process.env[NO_NATIVE_ENV] !== '1') log.warn(`echo arrivals stamped in JavaScript: ${a.error}`);
    }
    const deliver: OnEventSocketDatagram = onDatagram ?? (() => {});
    let txUnavailable: SendKernelReason | null = addon ? null : SEND_KERNEL_REASONS.noAddon;
    if (addon && !addon.enableTxStamps) txUnavailable = SEND_KERNEL_REASONS.refused;
    const sockets: EventSocket[] = [];
    // Filled in once the sender exists: errors before that fail the open.
    const onError: { fn: (i: number, e: NodeJS.ErrnoException) => void } = { fn: () => {} };
    try {
      for (let i = 0; i < workers.length; i++) {
        const w = workers[i]!;
        sockets.push(
          addon
            ? openKernelSocket(
                addon,
                w,
                (buf, mono) => deliver(i, buf, mono),
                (e) => onError.fn(i, e),
                txUnavailable === null
                  ? (e) => {
                      txUnavailable = SEND_KERNEL_REASONS.refused;
                      log.warn(`kernel send stamps unavailable (${e.message}): send stamps are taken in JavaScript`);
                    }
                  : null,
              )
            : await openUserSocket(
                w,
                (buf, mono) => deliver(i, buf, mono),
                (e) => onError.fn(i, e),
              ),
        );
      }
    } catch (e) {
      await Promise.all(sockets.map((s) => s.close()));
      throw new Error(`cannot open an event socket to a worker: ${(e as Error).message}`, { cause: e });
    }
    if (txUnavailable !== null) for (const s of sockets) delete s.takeTx; // all or none
    const sender = new EventSender(sockets, workers, faults, log, addon ? 'kernel' : 'user', txUnavailable);
    onError.fn = (i, e) => sender.onError(i, e);
    return sender;
  }

  /**
   * Send one event's datagram to every worker (through the fault injector in simulations); a
   * worker for which `perWorker` gives a buffer gets that one instead (its piggyback). Each
   * loopback sendmsg costs ~15–20 µs, so the k-th worker's datagram leaves that much later than
   * the first: the order rotates with `seq` (event seq goes to worker seq mod n first), so that no
   * worker is always first and ordering statistics between workers carry no fixed bias.
   */
  send(buf: Buffer, seq: number, perWorker: ((i: number) => Buffer | null) | null = null): void {
    const sockets = this.sockets;
    const n = sockets.length;
    const first = seq % n;
    this.first = -1;
    if (this.txUnavailable === null) this.sendStartMono = process.hrtime.bigint();
    for (let k = 0; k < n; k++) {
      const i = first + k < n ? first + k : first + k - n;
      const b = perWorker === null ? buf : (perWorker(i) ?? buf);
      if (this.faults === null) this.sendTo(i, b);
      else this.sendWithFaults(i, b, seq, this.faults);
    }
  }

  private sendTo(i: number, buf: Buffer): void {
    const s = this.sockets[i]!;
    const stamp = this.first < 0 && s.takeTx !== undefined;
    try {
      s.send(buf, stamp);
      if (stamp) this.first = i;
    } catch (e) {
      this.onError(i, e as NodeJS.ErrnoException);
    }
  }

  private sendWithFaults(i: number, buf: Buffer, seq: number, faults: EventPathFaults): void {
    const d = faults.decide(i, seq);
    if (d.drop) return;
    const copies = 1 + d.duplicates;
    const go = (): void => {
      for (let c = 0; c < copies; c++) this.sendTo(i, buf);
    };
    if (d.delayNs <= 0) {
      go();
      return;
    }
    const t = setTimeout(() => {
      this.delayed.delete(t);
      go();
    }, d.delayNs / 1e6);
    this.delayed.add(t);
  }

  /**
   * The kernel's transmit stamp of the first datagram the last send() put on the wire, taken from
   * that socket's error queue after all of the event's sends returned (non-blocking: on loopback
   * and most NICs the software stamp is queued inside sendmsg). Only that datagram asks for a
   * stamp, so one queue is read per event, not one per worker.
   */
  kernelSend(): KernelSend {
    if (this.txUnavailable !== null) return { reason: this.txUnavailable };
    if (this.first < 0) return { reason: SEND_KERNEL_REASONS.notSent };
    const flat = this.sockets[this.first]!.takeTx!();
    // Read after the queue: the stamp's move to the monotonic clock happens in that read.
    const found = findTxStamp(flat, this.sendStartMono, process.hrtime.bigint());
    return found === null ? { reason: SEND_KERNEL_REASONS.notDelivered } : { mono: found };
  }

  /** Send failures and ICMP errors: log each kind once per worker, keep going. */
  private onError(i: number, e: NodeJS.ErrnoException): void {
    this.sendErrors++;
    const key = `${i}:${e.code ?? e.message}`;
    if (this.errorsLogged.has(key)) return;
    this.errorsLogged.add(key);
    this.log.warn(
      `worker ${this.workers[i]!.label}: ${e.code === 'ECONNREFUSED' ? 'nothing listening (ICMP port unreachable); still sending' : e.message}`,
    );
  }

  /** Close the sockets (no echo is received after); a fault delay that outlasted the run drops its datagram, as a lost one. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    await Promise.all(this.sockets.map((s) => s.close()));
  }
}

/** An unconnected addon socket: sendto is synchronous, so no connect is needed for the send order. */
function openKernelSocket(
  addon: UdpStampAddon,
  w: WorkerAddress,
  onDatagram: (buf: Buffer, arrivalMono: bigint | null) => void,
  onError: (e: NodeJS.ErrnoException) => void,
  onTxRefused: ((e: Error) => void) | null,
): EventSocket {
  const h: UdpStampHandle = addon.open('0.0.0.0', 0, 1 << 20, (buf, _a, _p, mono) => onDatagram(buf, mono), onError);
  const s: EventSocket = {
    send: (buf, stamp) => {
      addon.send(h, buf, w.port, w.host, stamp);
    },
    close: async () => {
      addon.close(h);
    },
  };
  if (onTxRefused && addon.enableTxStamps && addon.txStamps) {
    try {
      addon.enableTxStamps(h, true);
      const take = addon.txStamps.bind(addon);
      s.takeTx = () => take(h);
    } catch (e) {
      onTxRefused(e as Error);
    }
  }
  return s;
}

/**
 * A connected dgram socket. A connected UDP socket learns of an ICMP "port unreachable" (a worker
 * not listening, e.g. while it restarts) and fails the next sendmsg with ECONNREFUSED without
 * sending it. An unconnected socket would have sent that datagram: send it once more, so that a
 * worker that is back gets it. The callback runs after the event's sends (process.nextTick).
 */
async function openUserSocket(
  w: WorkerAddress,
  onDatagram: (buf: Buffer, arrivalMono: bigint | null) => void,
  onError: (e: NodeJS.ErrnoException) => void,
): Promise<EventSocket> {
  const s: Socket = dgram.createSocket('udp4', (buf) => {
    const arrival = process.hrtime.bigint(); // first: everything after is not in the stamp
    onDatagram(buf, arrival);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(w.port, w.host, () => {
        s.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    s.close();
    throw e;
  }
  s.on('error', onError);
  let closed = false;
  const resendIfRefused =
    (buf: Buffer) =>
    (err: Error | null): void => {
      if (!err) return;
      onError(err as NodeJS.ErrnoException);
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' && !closed) s.send(buf);
    };
  return {
    send: (buf) => s.send(buf, resendIfRefused(buf)),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        s.close(() => resolve());
      }),
  };
}
