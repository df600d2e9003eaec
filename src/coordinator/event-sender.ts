import dgram, { type Socket } from 'node:dgram';
import type { Logger } from '../cli/logger.js';
import type { WorkerAddress } from './control.js';
import type { MulticastGroup, MulticastOptions } from '../net/multicast.js';
import { loadUdpStampAddon, NO_NATIVE_ENV, type UdpStampAddon, type UdpStampHandle } from '../net/udp-stamp-addon.js';
import { SEND_KERNEL_REASONS, type SendKernelReason } from './tx-stamps.js';
import { findTxStamp } from '../net/tx-stamp-match.js';

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
  private multicast = false;
  private delayed = new Set<NodeJS.Timeout>();
  /** Sends that failed (logged once per worker and kind). */
  sendErrors = 0;
  /** Datagrams handed to the kernel (a failed send is not counted). */
  datagramsSent = 0;
  /** The socket of the current send()'s first datagram that left synchronously (the one stamped). */
  private first = -1;
  private sendStartMono = 0n;

  private constructor(
    private readonly sockets: EventSocket[],
    /** Who each socket sends to: the workers (unicast), or the group alone (multicast). */
    private readonly workers: { label: string }[],
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
   * --transport multicast: one socket, one datagram per event to the group (TTL and interface
   * set on it). Echoes come back to this socket from each worker's unicast address, and are routed
   * to the worker by that address; datagrams from elsewhere are dropped. No fault injection:
   * faults are per worker, and one datagram serves every worker.
   */
  static async openMulticast(
    workers: WorkerAddress[],
    m: MulticastOptions,
    log: Logger,
    onDatagram: OnEventSocketDatagram | null = null,
  ): Promise<EventSender> {
    const byAddress = new Map(workers.map((w, i) => [`${w.host}:${w.port}`, i]));
    const deliver = (buf: Buffer, address: string, port: number, mono: bigint | null): void => {
      const i = byAddress.get(`${address}:${port}`);
      if (i !== undefined) onDatagram?.(i, buf, mono);
    };
    const onError: { fn: (i: number, e: NodeJS.ErrnoException) => void } = { fn: () => {} };
    const a = loadUdpStampAddon();
    let socket: EventSocket;
    let kind: 'kernel' | 'user' = 'user';
    try {
      if ('addon' in a && a.addon.multicastSend) {
        socket = openKernelGroupSocket(a.addon, m, deliver, (e) => onError.fn(0, e));
        kind = 'kernel';
      } else {
        const why = 'addon' in a ? 'the udp_stamp addon predates multicast (rebuild with "npm run build")' : a.error;
        if (onDatagram && process.env[NO_NATIVE_ENV] !== '1') log.warn(`echo arrivals stamped in JavaScript: ${why}`);
        socket = await openUserGroupSocket(m, deliver, (e) => onError.fn(0, e));
      }
    } catch (e) {
      throw new Error(`cannot open the multicast socket to ${groupLabel(m.group)}: ${(e as Error).message}`, { cause: e });
    }
    if (socket.takeTx) delete socket.takeTx;
    const sender = new EventSender([socket], [{ label: `group ${groupLabel(m.group)}` }], null, log, kind, SEND_KERNEL_REASONS.multicast);
    sender.multicast = true;
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
    if (this.multicast) {
      this.sendTo(0, buf); // one datagram for every worker; piggybacks need per-worker datagrams
      return;
    }
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
      this.datagramsSent++;
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
      `${this.multicast ? '' : 'worker '}${this.workers[i]!.label}: ${e.code === 'ECONNREFUSED' ? 'nothing listening (ICMP port unreachable); still sending' : e.message}`,
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

function groupLabel(g: MulticastGroup): string {
  return g.family === 6 ? `[${g.address}]:${g.port}` : `${g.address}:${g.port}`;
}

/** The addon's socket for the group: synchronous sendto, and echoes with kernel arrival stamps. */
function openKernelGroupSocket(
  addon: UdpStampAddon,
  m: MulticastOptions,
  onDatagram: (buf: Buffer, address: string, port: number, arrivalMono: bigint | null) => void,
  onError: (e: NodeJS.ErrnoException) => void,
): EventSocket {
  const h = addon.open(m.group.family === 6 ? '::' : '0.0.0.0', 0, 1 << 20, onDatagram, onError);
  try {
    addon.multicastSend!(h, m.ttl, m.iface);
  } catch (e) {
    addon.close(h);
    throw e;
  }
  return {
    send: (buf) => {
      addon.send(h, buf, m.group.port, m.group.address);
    },
    close: async () => {
      addon.close(h);
    },
  };
}

/** A dgram socket connected to the group (a synchronous sendmsg, as for the workers' sockets). */
async function openUserGroupSocket(
  m: MulticastOptions,
  onDatagram: (buf: Buffer, address: string, port: number, arrivalMono: bigint | null) => void,
  onError: (e: NodeJS.ErrnoException) => void,
): Promise<EventSocket> {
  const s: Socket = dgram.createSocket(m.group.family === 6 ? 'udp6' : 'udp4', (buf, rinfo) => {
    const arrival = process.hrtime.bigint(); // first: everything after is not in the stamp
    onDatagram(buf, rinfo.address, rinfo.port, arrival);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, () => {
        s.setMulticastTTL(m.ttl);
        s.setMulticastLoopback(true);
        if (m.iface !== '') s.setMulticastInterface(m.iface);
        s.connect(m.group.port, m.group.address, () => {
          s.off('error', reject);
          resolve();
        });
      });
    });
  } catch (e) {
    s.close();
    throw e;
  }
  s.on('error', onError);
  return {
    send: (buf) =>
      s.send(buf, (err) => {
        if (err) onError(err as NodeJS.ErrnoException);
      }),
    close: () => new Promise<void>((resolve) => s.close(() => resolve())),
  };
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
