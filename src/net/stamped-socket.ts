// The worker's UDP socket, with each datagram's arrival time in the CLOCK_MONOTONIC frame
// (process.hrtime.bigint()'s, which HostClock and FaultyClock are built on).
//   kernel: the kernel's SO_TIMESTAMPNS stamp, taken when the datagram was queued to the socket
//           (on loopback inside the sender's sendmsg): the receiver's wake-up is not in it.
//   user:   process.hrtime.bigint() first thing in a Node dgram callback, after the wake-up.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { readProcNetUdpDrops, type KernelDrops } from './proc-net-udp.js';
import { loadUdpStampAddon, type UdpStampAddon, type UdpStampHandle } from './udp-stamp-addon.js';
import { UsageError } from '../validate/index.js';
import type { MulticastGroup } from './multicast.js';

export type RecvStampMode = 'auto' | 'kernel' | 'user';
/**
 * The worker's default --recv-pause-ms. At 10,000–15,000 events/s on loopback resting 1 ms
 * between reads (~10–15 datagrams a wake-up instead of one) took ~40 % off a worker's CPU per
 * event (docs/performance.md). Below 1,000 datagrams/s the socket never rests.
 */
export const RECV_PAUSE_MS = 1;
export const RECV_STAMP_MODES: readonly RecvStampMode[] = ['auto', 'kernel', 'user'];
export type StampKind = 'kernel' | 'user';
export type { KernelDrops } from './proc-net-udp.js';

/**
 * One datagram. `arrivalMonoNs` is its arrival on CLOCK_MONOTONIC; null only in kernel mode for a
 * datagram the kernel gave no usable stamp (the caller then stamps it itself and counts it).
 */
export type OnDatagram = (buf: Buffer, address: string, port: number, arrivalMonoNs: bigint | null) => void;

export interface StampedSocket {
  readonly stampKind: StampKind;
  /** The rest between reads in force (ms): 0 in user mode, or when asked for none, or when the addon predates it. */
  readonly recvPauseMs: number;
  /** Send to a numeric address (kernel mode: a synchronous sendto; a failure throws). */
  send(buf: Buffer, port: number, address: string): void;
  address(): { address: string; port: number; family: string };
  /** SO_RCVBUF as the kernel reports it (Linux: twice the granted request), bytes. */
  recvBufferBytes(): number;
  /** Kernel mode: datagrams that came without a usable kernel stamp; user mode: 0. */
  unstampedCount(): number;
  /**
   * Datagrams the kernel dropped at this socket since it opened (receive queue full), from the
   * socket's own counter: kernel mode SO_MEMINFO (or SO_RXQ_OVFL), user mode /proc/net/udp.
   * Unavailable is null with the reason, never 0. Reads a file in user mode: not for the hot path.
   */
  kernelDrops(): Promise<KernelDrops>;
  /** Stops receiving; no callback runs after it resolves (kernel mode: after it is called). */
  close(): Promise<void>;
  /**
   * Kernel mode with `txStamps` asked and granted: `send` asking for the datagram's software
   * transmit stamp, and `take` the stamps collected since the last call ([id, monoNs, …]).
   */
  tx?: { send(buf: Buffer, port: number, address: string): void; take(): (number | bigint)[] };
}

export interface StampedSocketOptions {
  /** Address to bind: an IPv4/IPv6 literal or a host name (resolved first, IPv4 preferred). */
  bind: string;
  port: number;
  mode: RecvStampMode;
  /** SO_RCVBUF request in bytes (Linux caps it at net.core.rmem_max). */
  recvBufferBytes: number;
  onMessage: OnDatagram;
  /** Receive/send errors that are not a single call's failure (default: ignored, as before). */
  onError?: (e: Error) => void;
  /** auto mode: told why kernel stamps are unavailable. */
  onFallback?: (reason: string) => void;
  /**
   * Kernel mode: when datagrams come faster than one per this many ms, rest the poll this long
   * after each wake-up (0 or absent: never), so that a high event rate costs one wake-up per rest
   * instead of one per datagram. Ignored in user mode, where a datagram is stamped when it is read.
   */
  recvPauseMs?: number;
  /** Kernel mode: also ask for transmit stamps of the datagrams sent with `tx.send` (absent tx when refused). */
  txStamps?: boolean;
}

/**
 * Which stamps a socket opened in `mode` gets, decided before anything is opened: `kernel` throws
 * a clear error when the addon is unavailable; `auto` then reports why through `onFallback`.
 */
export function resolveStampKind(mode: RecvStampMode, onFallback?: (reason: string) => void): StampKind {
  if (!RECV_STAMP_MODES.includes(mode)) throw new UsageError(`--recv-stamp "${String(mode)}": use auto, kernel or user`);
  if (mode === 'user') return 'user';
  const a = loadUdpStampAddon();
  if ('addon' in a) return 'kernel';
  if (mode === 'kernel')
    throw new UsageError(`--recv-stamp kernel: kernel receive timestamps are unavailable: ${a.error} (or use --recv-stamp auto/user)`);
  onFallback?.(
    `kernel receive timestamps unavailable: ${a.error}; stamping datagrams in JavaScript instead, after the process wakes (--recv-stamp user)`,
  );
  return 'user';
}

/** Open and bind a socket in the asked mode (auto: kernel when the addon loads, else user). */
export async function openStampedSocket(o: StampedSocketOptions): Promise<StampedSocket> {
  const kind = resolveStampKind(o.mode, o.onFallback);
  const a = loadUdpStampAddon();
  return kind === 'kernel' && 'addon' in a ? openKernel(a.addon, o) : openUser(o);
}

async function numericAddress(host: string): Promise<string> {
  if (isIP(host)) return host;
  const all = await lookup(host, { all: true }).catch((e: Error) => {
    throw new Error(`bind address "${host}": ${e.message}`);
  });
  return (all.find((a) => a.family === 4) ?? all[0]!).address;
}

/**
 * A socket that receives a multicast group: bound to the group's address and port (so it hears
 * nothing else) with SO_REUSEADDR (several workers of a host share the port), and joined on
 * `iface`. Kernel mode joins in the addon, so group datagrams carry kernel receive stamps too.
 */
export async function openGroupSocket(
  o: Omit<StampedSocketOptions, 'bind' | 'port'> & { group: MulticastGroup; iface: string },
): Promise<StampedSocket> {
  const kind = resolveStampKind(o.mode, o.onFallback);
  const a = loadUdpStampAddon();
  const at = `group ${o.group.family === 6 ? `[${o.group.address}]` : o.group.address}:${o.group.port}`;
  const sock = { ...o, bind: o.group.address, port: o.group.port };
  if (kind === 'kernel' && 'addon' in a) {
    if (!a.addon.joinGroup) throw new Error(`${at}: the udp_stamp addon predates multicast; rebuild it with "npm run build"`);
    const s = await openKernel(a.addon, sock, true);
    try {
      a.addon.joinGroup(s.handle, o.group.address, o.iface);
    } catch (e) {
      await s.close();
      throw new Error(`${at}: ${(e as Error).message}`, { cause: e });
    }
    return s;
  }
  const s = await openUser(sock, true);
  try {
    s.dgram.addMembership(o.group.address, o.iface === '' ? undefined : o.iface);
  } catch (e) {
    await s.close();
    throw new Error(`${at}: join on ${o.iface || 'the default interface'}: ${(e as Error).message}`, { cause: e });
  }
  return s;
}

async function openKernel(
  addon: UdpStampAddon,
  o: StampedSocketOptions,
  reuseAddr = false,
): Promise<StampedSocket & { handle: UdpStampHandle }> {
  const address = await numericAddress(o.bind);
  const h: UdpStampHandle = addon.open(address, o.port, o.recvBufferBytes, o.onMessage, o.onError, reuseAddr);
  let recvPauseMs = 0;
  if (o.recvPauseMs && addon.setRecvPause) {
    addon.setRecvPause(h, o.recvPauseMs);
    recvPauseMs = o.recvPauseMs;
  }
  let tx: StampedSocket['tx'];
  if (o.txStamps && addon.enableTxStamps && addon.txStamps) {
    try {
      addon.enableTxStamps(h, true);
      const take = addon.txStamps.bind(addon);
      tx = { send: (buf, port, to) => void addon.send(h, buf, port, to, true), take: () => take(h) };
    } catch {
      tx = undefined; // refused: holds stay as read in JavaScript
    }
  }
  return {
    handle: h,
    ...(tx ? { tx } : {}),
    stampKind: 'kernel',
    recvPauseMs,
    send: (buf, port, to) => {
      addon.send(h, buf, port, to);
    },
    address: () => {
      const i = addon.info(h);
      return { address: i.address, port: i.port, family: i.family };
    },
    recvBufferBytes: () => addon.info(h).rcvbuf,
    unstampedCount: () => addon.info(h).unstamped,
    kernelDrops: async () => {
      const i = addon.info(h);
      return { drops: i.drops, from: i.dropsFrom };
    },
    close: async () => {
      addon.close(h);
    },
  };
}

async function openUser(o: StampedSocketOptions, reuseAddr = false): Promise<StampedSocket & { dgram: dgram.Socket }> {
  const type = isIP(o.bind) === 6 ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, recvBufferSize: o.recvBufferBytes, reuseAddr }, (buf, rinfo) => {
    // Stamp first: everything after this line is not in the arrival time.
    const arrival = process.hrtime.bigint();
    o.onMessage(buf, rinfo.address, rinfo.port, arrival);
  });
  let bound = false;
  socket.on('error', (e) => {
    if (bound) o.onError?.(e);
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error): void => reject(new Error(`bind ${o.bind}:${o.port}: ${e.message}`));
    socket.once('error', fail);
    socket.bind(o.port, o.bind, () => {
      socket.off('error', fail);
      bound = true;
      resolve();
    });
  });
  let closed = false;
  return {
    dgram: socket,
    stampKind: 'user',
    recvPauseMs: 0,
    send: (buf, port, to) => {
      socket.send(buf, port, to, (e) => {
        if (e) o.onError?.(e);
      });
    },
    address: () => socket.address(),
    recvBufferBytes: () => socket.getRecvBufferSize(),
    unstampedCount: () => 0,
    kernelDrops: async () => {
      if (closed) return { drops: null, from: 'unavailable: socket closed' };
      const a = socket.address();
      return readProcNetUdpDrops(a.family === 'IPv6' ? 'IPv6' : 'IPv4', a.port);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) {
          resolve();
          return;
        }
        closed = true;
        socket.close(() => resolve());
      }),
  };
}
