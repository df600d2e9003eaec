// Loads the udp_stamp native addon (native/udp-stamp/udp_stamp.c): a UDP socket whose datagrams
// carry the kernel's receive stamp (SO_TIMESTAMPNS), which Node's dgram cannot give, and a
// read-only shared mapping of a file (Node has no mmap) for daemons that publish in shared memory.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../files/paths.js';

/** Opaque socket handle made by the addon. */
export type UdpStampHandle = object & { readonly __udpStamp?: never };

/** arrivalMonoNs: the kernel's stamp moved to CLOCK_MONOTONIC (process.hrtime's frame); null if the datagram had no usable stamp. */
export type NativeOnMessage = (buf: Buffer, address: string, port: number, arrivalMonoNs: bigint | null) => void;

export interface UdpStampAddon {
  /** A non-blocking socket of the address's family, SO_TIMESTAMPNS on, bound and polled on Node's loop. Throws on any failure. */
  /** reuseAddr: SO_REUSEADDR, so that several workers of one host can bind one multicast group's port. */
  open(
    address: string,
    port: number,
    rcvbufBytes: number,
    onMessage: NativeOnMessage,
    onError?: (e: Error) => void,
    reuseAddr?: boolean,
  ): UdpStampHandle;
  /** IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP; iface: "" (by route), a local address or an interface name. Throws on failure. */
  joinGroup?(h: UdpStampHandle, group: string, iface: string): void;
  /** TTL (hop limit), outgoing interface and loopback delivery of datagrams sent to a group. */
  multicastSend?(h: UdpStampHandle, ttl: number, iface: string): void;
  /**
   * rcvbuf: SO_RCVBUF as the kernel reports it (Linux doubles the request, capped at net.core.rmem_max).
   * drops: datagrams the kernel dropped at this socket (SO_MEMINFO now, else the last SO_RXQ_OVFL a
   * datagram carried), or null; dropsFrom: that counter's name, or "unavailable: why".
   */
  info(h: UdpStampHandle): {
    address: string;
    port: number;
    family: 'IPv4' | 'IPv6';
    rcvbuf: number;
    unstamped: number;
    /** Transmit stamps lost: overwritten before txStamps() took them, or not believable (realtime stepped). */
    txLost: number;
    drops: number | null;
    dropsFrom: string;
  };
  /**
   * Synchronous sendto to a numeric address; EAGAIN and every other failure throw. Returns bytes
   * sent. stampThis: ask for this datagram's transmit stamp (after enableTxStamps(h, true)).
   */
  send(h: UdpStampHandle, buf: Buffer, port: number, address: string, stampThis?: boolean): number;
  /**
   * Ask the kernel for a software transmit stamp (SO_TIMESTAMPING) of every datagram sent from
   * now on: the k-th successful send() after this call (k = 0, 1, …) gets id k. onlyAsked: only of
   * those sent with stampThis (their ids then count stamped datagrams on recent kernels, every
   * datagram on older ones). Throws when refused. Optional: an older build of the addon lacks it.
   */
  enableTxStamps?(h: UdpStampHandle, onlyAsked?: boolean): void;
  /**
   * The transmit stamps collected since the last call, oldest first, as [id, monoNs, id, monoNs, …]
   * (monoNs: the kernel's stamp moved to CLOCK_MONOTONIC); drains the error queue without blocking.
   */
  txStamps?(h: UdpStampHandle): (number | bigint)[];
  /**
   * When datagrams come faster than one per `ms`, stop polling for `ms` after each wake-up that
   * drained the queue (0: never): what arrives meanwhile waits in the receive queue with its kernel
   * stamp and is read in one later wake-up. Optional: an older build of the addon lacks it.
   */
  setRecvPause?(h: UdpStampHandle, ms: number): void;
  /** Stops the poll and closes the fd; idempotent; no callback runs after it. */
  close(h: UdpStampHandle): void;
  /** CLOCK_REALTIME paired with CLOCK_MONOTONIC (the midpoint of the narrowest of 32 brackets), and that bracket's width (ns). */
  clockPair(): [realNs: bigint, monoNs: bigint, bracketNs: bigint];
  /**
   * The first `length` bytes of the file at `path`, mapped read-only and MAP_SHARED: the returned
   * buffer shows the writer's stores as they happen, with no system call per read. Throws (err.code
   * ENOENT, EACCES, ESHORT for a file shorter than `length`, …) when it cannot map.
   */
  mapShared?(path: string, length: number): ArrayBuffer;
}

/** Where the built addon may be: copied into dist/ by the build (and so into deploy bundles), or node-gyp's own output. */
export const ADDON_PATHS = [
  path.join(PACKAGE_ROOT, 'dist/native/udp_stamp.node'),
  path.join(PACKAGE_ROOT, 'native/udp-stamp/build/Release/udp_stamp.node'),
];

/** Set to 1 to behave as if the addon were missing (tests of the fallback). */
export const NO_NATIVE_ENV = 'CHRONOEVAL_NO_NATIVE';

let cached: { addon: UdpStampAddon; file: string } | { error: string } | null = null;

/** The addon, or why it is unavailable (a sentence a user can act on). Loaded once per process. */
export function loadUdpStampAddon(): { addon: UdpStampAddon; file: string } | { error: string } {
  if (process.env[NO_NATIVE_ENV] === '1') return { error: `the udp_stamp addon is disabled by ${NO_NATIVE_ENV}=1` };
  if (cached) return cached;
  const file = ADDON_PATHS.find((p) => existsSync(p));
  if (!file) {
    cached = {
      error:
        `the udp_stamp addon is not built (looked for ${ADDON_PATHS.map((p) => path.relative(PACKAGE_ROOT, p)).join(' and ')}); ` +
        'install python3, make and a C compiler (e.g. apt-get install python3 make g++) and run "npm run build"',
    };
    return cached;
  }
  try {
    const addon = createRequire(import.meta.url)(file) as UdpStampAddon;
    cached = { addon, file };
  } catch (e) {
    // e.g. built for another architecture or libc (a deploy bundle on a different host).
    cached = {
      error: `the udp_stamp addon at ${path.relative(PACKAGE_ROOT, file)} does not load here (${(e as Error).message.split('\n')[0]}); rebuild it on this host with "npm run build"`,
    };
  }
  return cached;
}
