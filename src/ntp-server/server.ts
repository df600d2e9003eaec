import DgramAsPromised from 'dgram-as-promised';
import type { RemoteInfo } from 'node:dgram';
import type { LocalClock } from '../clock/types.js';
import { HostClock } from '../clock/host-clock.js';
import type { Logger } from '../cli/logger.js';
import {
  decodeNtpPacket,
  encodeNtpPacket,
  refIdFromAscii,
  unixNsToNtp,
  LEAP_UNSYNC,
  MODE_CLIENT,
  MODE_SERVER,
  type NtpPacket,
} from '../protocol/ntp-packet.js';
import { NO_FAULTS, type NtpFaultDecision, type NtpServerBehaviour } from './behaviour.js';

export interface NtpServerOptions {
  host: string;
  /** 0 = let the OS choose (always in tests). */
  port: number;
  /** The server's clock: t2/t3 come from it (a simulated clock lets a whole server be wrong). */
  clock: LocalClock;
  behaviour?: NtpServerBehaviour;
  logger?: Logger;
  /** Default 1: this server is the test-bed's reference (the host clock is "true time"). */
  stratum?: number;
  /** Default "LOCL" (a local, undisciplined reference clock). */
  refId?: string;
  /** Root dispersion advertised, ns. Default 0: the host clock is the truth of the test-bed. */
  rootDispersionNs?: bigint;
}

// A type alias (not an interface) so that it is assignable to Record<string, unknown> for loggers.
export type NtpServerStats = {
  /** Datagrams received (well-formed or not). */
  requests: number;
  /** Replies sent, kiss-o'-death included. */
  replies: number;
  /** Datagrams that were not a valid NTP v3/v4 client request. */
  malformed: number;
  /** Requests dropped by the fault behaviour (or because the server closed while they were delayed). */
  dropped: number;
  /** Kiss-o'-death replies sent. */
  kisses: number;
  /** Steps of the host's realtime clock followed (only when serving the host clock). */
  clockSteps: number;
};

export interface NtpServerHandle {
  address: string;
  port: number;
  close(): Promise<void>;
  stats(): NtpServerStats;
}

/** log2 of the clock's reading resolution in seconds: hrtime-based clocks read to ~1 µs. */
const PRECISION_LOG2 = -20;
/** Malformed datagrams logged at warn level before switching to debug (avoid a log flood). */
const MALFORMED_WARN_LIMIT = 20;

/**
 * An SNTP v4 server (RFC 5905 server mode, RFC 4330 §5): answers each mode-3 request with a
 * mode-4 reply whose origin is the client's transmit timestamp, t2 stamped on receipt and t3
 * just before sending. Malformed datagrams are counted and logged, never fatal.
 */
export async function startNtpServer(opts: NtpServerOptions): Promise<NtpServerHandle> {
  const behaviour = opts.behaviour ?? NO_FAULTS;
  const stratum = opts.stratum ?? 1;
  if (!Number.isInteger(stratum) || stratum < 1 || stratum > 15) throw new Error(`NTP server stratum must be 1..15, got ${stratum}`);
  const refId = refIdFromAscii(opts.refId ?? 'LOCL');
  const rootDispersionNs = opts.rootDispersionNs ?? 0n;
  const log = opts.logger?.child({ component: 'ntp-server' });
  const stats: NtpServerStats = { requests: 0, replies: 0, malformed: 0, dropped: 0, kisses: 0, clockSteps: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let seq = 0;

  const sock = DgramAsPromised.createSocket(opts.host.includes(':') ? 'udp6' : 'udp4');
  sock.socket.on('error', (err) => log?.error('socket error', { error: String(err) }));
  const bound = await sock.bind(opts.port, opts.host);

  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const send = (buf: Buffer, to: RemoteInfo): void => {
    if (closed) {
      stats.dropped++;
      return;
    }
    sock.send(buf, to.port, to.address).then(
      () => {
        stats.replies++;
      },
      (err: unknown) => log?.warn('reply send failed', { to: `${to.address}:${to.port}`, error: String(err) }),
    );
  };

  // Serving the host clock means serving the kernel's realtime as it is at each request, like any
  // NTP server: a step of the system clock (by anyone) is followed at once, and counted.
  const host = opts.clock instanceof HostClock ? opts.clock : null;
  const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    const step = host?.followRealtime() ?? null;
    if (step !== null) {
      stats.clockSteps++;
      log?.warn('the host clock was stepped; serving the new time', { step_ns: step.toString() });
    }
    const arrivalLocalNs = opts.clock.nowNs();
    stats.requests++;
    const decoded = decodeNtpPacket(msg, MODE_CLIENT);
    if (!decoded.ok) {
      stats.malformed++;
      const level = stats.malformed <= MALFORMED_WARN_LIMIT ? 'warn' : 'debug';
      log?.log(level, 'malformed NTP request ignored', {
        from: `${rinfo.address}:${rinfo.port}`,
        bytes: msg.length,
        reason: decoded.error.message,
      });
      return;
    }
    const request = decoded.packet;
    let fault: NtpFaultDecision = {};
    try {
      fault = behaviour.decide({ seq: ++seq, from: { address: rinfo.address, port: rinfo.port }, request, arrivalLocalNs }) ?? {};
    } catch (err) {
      log?.error('fault behaviour threw; answering without faults', { error: String(err) });
    }
    if (fault.drop) {
      stats.dropped++;
      return;
    }
    const offsetNs = fault.offsetNs ?? 0n;
    // Simulated request path: the packet "arrives" only now, so t2 is stamped after the delay.
    later(fault.requestDelayMs ?? 0, () => {
      if (closed) {
        stats.dropped++;
        return;
      }
      const t2 = arrivalOrNow(fault, arrivalLocalNs, opts.clock) + offsetNs;
      const reply: NtpPacket = {
        leap: fault.kiss ? LEAP_UNSYNC : (fault.leap ?? 0),
        version: request.version,
        mode: MODE_SERVER,
        stratum: fault.kiss ? 0 : (fault.stratum ?? stratum),
        poll: request.poll,
        precision: PRECISION_LOG2,
        rootDelayNs: 0n,
        rootDispersionNs,
        refId: fault.kiss ? refIdFromAscii(fault.kiss) : refId,
        // The local reference is always "just set": the last whole second before t2.
        referenceTs: fault.kiss ? 0n : unixNsToNtp(t2 - (t2 % 1_000_000_000n)),
        originTs: request.transmitTs,
        receiveTs: unixNsToNtp(t2),
        transmitTs: 0n,
      };
      reply.transmitTs = unixNsToNtp(opts.clock.nowNs() + offsetNs); // t3, just before encoding and sending
      const buf = encodeNtpPacket(reply);
      if (fault.kiss) stats.kisses++;
      // Simulated reply path: t3 is already on the wire; the client stamps t4 after this delay.
      later(fault.replyDelayMs ?? 0, () => send(buf, rinfo));
    });
  };
  sock.socket.on('message', onMessage);
  log?.info('NTP server listening', { address: bound.address, port: bound.port, stratum, ref_id: opts.refId ?? 'LOCL' });

  return {
    address: bound.address,
    port: bound.port,
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) {
        clearTimeout(t);
        stats.dropped++;
      }
      timers.clear();
      sock.socket.off('message', onMessage);
      await sock.close();
      log?.info('NTP server closed', { ...stats });
    },
  };
}

/** Without a request-path delay t2 is the arrival stamp; after one, the clock is read again. */
function arrivalOrNow(fault: NtpFaultDecision, arrivalLocalNs: bigint, clock: LocalClock): bigint {
  return (fault.requestDelayMs ?? 0) > 0 ? clock.nowNs() : arrivalLocalNs;
}
