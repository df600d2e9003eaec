// SNTP v4 client source (RFC 5905 on-wire protocol, RFC 4330 client rules). See docs/ntp.md.
//
// Background: a poll timer sends a burst of requests to every server; replies are validated,
// turned into samples (four timestamps → offset θ, delay δ), the minimum-delay sample of each
// burst is accepted, and the model (one offset) is recomputed. `read` only does arithmetic on
// that cached model: no I/O, no await.
import DgramAsPromised, { type SocketAsPromised } from 'dgram-as-promised';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { RemoteInfo } from 'node:dgram';
import type { Logger } from '../../cli/logger.js';
import type { NtpSample, NtpSampleListener } from '../ntp-sample.js';
import {
  EMPTY_READING,
  type ClockSource,
  type LocalClock,
  type Readiness,
  type Reading,
  type SourceStatus,
  type SyncRow,
  type SyncSink,
} from '../types.js';
import {
  decodeNtpPacket,
  encodeNtpPacket,
  ntpToUnixNs,
  offsetAndDelay,
  refIdToAscii,
  unixNsToNtp,
  LEAP_UNSYNC,
  MODE_CLIENT,
  MODE_SERVER,
} from '../../protocol/ntp-packet.js';

export interface NtpSourceOptions {
  /** "host:port" (IPv6 as "[::1]:123"); the port defaults to 123. */
  servers: string[];
  clock: LocalClock;
  /** Interval between polls (each poll = one burst to every server). */
  pollMs: number;
  /** Requests per server per poll; the minimum-delay reply is kept. */
  burst: number;
  /** A request without a valid reply after this long is a timeout. */
  timeoutMs: number;
  sink?: SyncSink;
  logger?: Logger;
  nodeId?: string;
  runId?: string;
  /** Gap between the requests of one burst. Default min(20 ms, pollMs / (4 · burst)). */
  burstGapMs?: number;
  /** The model is `stale` (no value) when its newest usable sample is older than this many polls. Default 3. */
  staleAfterPolls?: number;
  /** Ready once this many bursts have produced an accepted sample and the model is `ok`. Default 3. */
  readyMinSamples?: number;
  /** Accepted samples kept for `samples()`. Default 512. */
  historySize?: number;
}

interface ServerState {
  label: string;
  host: string;
  port: number;
  address: string | null;
  lastAccepted: NtpSample | null;
  /** The server's most recent finished burst produced an accepted sample. */
  lastBurstOk: boolean;
  burstInFlight: boolean;
  /** Delays of recent accepted bursts (popcorn-spike filter), and spikes rejected in a row. */
  recentDelays: bigint[];
  spikesInRow: number;
  /** Polls to sit out after a kiss-o'-death. */
  backoffPolls: number;
  counts: { sent: number; accepted: number; rejected: number; timeouts: number; kisses: number; invalid: number; unsynced: number };
}

interface ClientSocket {
  sock: SocketAsPromised;
  ready: Promise<void>;
}

interface Burst {
  server: ServerState;
  outstanding: number;
  candidates: NtpSample[];
}

interface Pending {
  burst: Burst;
  t1: bigint;
  trueT1?: bigint;
  timer: NodeJS.Timeout;
}

/** Offset changes beyond this are a jump (ntpd's step threshold). */
const STEP_THRESHOLD_NS = 128_000_000n;

interface Model {
  offsetNs: bigint;
  status: SourceStatus;
  /** Local t4 of the oldest sample the model uses: its age decides staleness. */
  oldestT4: bigint;
  servers: string[];
  /** CLOCK_MONOTONIC when this model took over: instants before it are read with the previous model. */
  sinceMono: bigint;
}

const KISS_BACKOFF_POLLS: Record<string, number> = { RATE: 1 };
const KISS_BACKOFF_DEFAULT = 8;

export class NtpSource implements ClockSource {
  readonly name = 'ntp';
  readonly bounded = false;

  private readonly servers: ServerState[];
  private readonly pending = new Map<bigint, Pending>();
  private readonly listeners: NtpSampleListener[] = [];
  private readonly history: NtpSample[] = [];
  private readonly log: Logger | undefined;
  private readonly staleAfterNs: bigint;
  private readonly burstGapMs: number;
  private sockets: { 4?: ClientSocket; 6?: ClientSocket } = {};
  private pollTimer: NodeJS.Timeout | null = null;
  private burstTimers = new Set<NodeJS.Timeout>();
  private model: Model | null = null;
  /** The model before the current one, for instants (queued datagrams) from before the current one took over. */
  private prevModel: Model | null = null;
  private firstModelMono: bigint | null = null;
  /** Offset of a jump not yet confirmed by a second burst (null: none pending). */
  private unconfirmedJumpNs: bigint | null = null;
  private acceptedBursts = 0;
  private foreign = 0;
  private unmatched = 0;
  private running = false;

  constructor(private readonly opts: NtpSourceOptions) {
    if (!Array.isArray(opts.servers)) throw new Error('ntp source: servers must be a list of host:port');
    if (opts.servers.length === 0) throw new Error('ntp source: at least one server (host:port) is required');
    for (const [k, v] of [
      ['pollMs', opts.pollMs],
      ['burst', opts.burst],
      ['timeoutMs', opts.timeoutMs],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`ntp source: ${k} must be a positive integer, got ${v}`);
    }
    this.servers = opts.servers.map(newServerState);
    this.log = opts.logger?.child({ component: 'ntp-client' });
    this.burstGapMs = opts.burstGapMs ?? Math.min(20, Math.floor(opts.pollMs / (4 * opts.burst)));
    this.staleAfterNs = BigInt(Math.round((opts.staleAfterPolls ?? 3) * opts.pollMs)) * 1_000_000n;
  }

  onSample(listener: NtpSampleListener): void {
    this.listeners.push(listener);
  }

  /** Recent accepted samples (one per server per successful burst), oldest first. */
  samples(): readonly NtpSample[] {
    return this.history.slice();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    for (const s of this.servers) await this.resolve(s);
    // Bind one ephemeral port per address family in use before the first request.
    for (const s of this.servers) if (s.address !== null) await this.socketFor(s.address).ready;
    this.poll();
    this.pollTimer = setInterval(() => this.poll(), this.opts.pollMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    for (const t of this.burstTimers) clearTimeout(t);
    this.burstTimers.clear();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    for (const s of this.servers) s.burstInFlight = false; // abandoned bursts must not block a restart
    const socks = Object.values(this.sockets);
    this.sockets = {};
    await Promise.all(socks.map((s) => s.ready.then(() => s.sock.close()).catch(() => undefined)));
  }

  /**
   * The offset in force at the instant: a datagram that arrived before the latest burst was
   * accepted (it waited in the socket buffer meanwhile) gets the model of its own time, so a step
   * of the local clock taken up by that burst is not applied to a stamp from before it.
   */
  read(localNs: bigint, monoNs?: bigint): Reading {
    const before = monoNs !== undefined && this.model !== null && monoNs < this.model.sinceMono;
    // Before the first model there was no estimate; an instant older than the previous model (a
    // datagram that waited over two bursts) gets the oldest model kept.
    if (before && (this.firstModelMono === null || monoNs < this.firstModelMono)) return EMPTY_READING('warming');
    const m = before ? this.prevModel : this.model;
    if (!m) return EMPTY_READING(this.acceptedBursts > 0 && !before ? 'stale' : 'warming');
    if (localNs - m.oldestT4 > this.staleAfterNs) return EMPTY_READING('stale');
    return { point_ns: localNs + m.offsetNs, lo_ns: null, hi_ns: null, status: m.status };
  }

  readiness(): Readiness {
    const need = this.opts.readyMinSamples ?? 3;
    const status = this.read(this.opts.clock.nowNs()).status;
    if (this.acceptedBursts >= need && status === 'ok') {
      return {
        ready: true,
        detail: `${this.acceptedBursts} accepted samples; offset ${fmtMs(this.model!.offsetNs)} from ${this.model!.servers.join(', ')}`,
      };
    }
    const failing = this.servers.filter((s) => !s.lastBurstOk).map((s) => `${s.label} (${describeFailures(s)})`);
    return {
      ready: false,
      detail:
        `${this.acceptedBursts}/${need} accepted samples, model ${status}` +
        (failing.length ? `; no good reply from ${failing.join(', ')}` : ''),
    };
  }

  summary(): Record<string, unknown> {
    const r = this.read(this.opts.clock.nowNs());
    return {
      status: r.status,
      offset_ns: this.model && r.point_ns !== null ? this.model.offsetNs.toString() : null,
      accepted_samples: this.acceptedBursts,
      ignored_foreign: this.foreign,
      ignored_unmatched: this.unmatched,
      servers: this.servers.map((s) => ({
        server: s.label,
        ok: s.lastBurstOk,
        offset_ns: s.lastAccepted?.offset_ns.toString() ?? null,
        delay_ns: s.lastAccepted?.delay_ns.toString() ?? null,
        ...s.counts,
      })),
    };
  }

  // ---- polling -------------------------------------------------------------------------------

  private poll(): void {
    if (!this.running) return;
    for (const s of this.servers) {
      if (s.backoffPolls > 0) {
        s.backoffPolls--;
        continue;
      }
      if (s.burstInFlight) continue; // previous burst still waiting for replies (timeout > poll)
      if (s.address === null) {
        // Name did not resolve: retry off the hot path, count the poll as a failed burst.
        void this.resolve(s);
        this.finishBurst({ server: s, outstanding: 0, candidates: [] });
        continue;
      }
      const burst: Burst = { server: s, outstanding: this.opts.burst, candidates: [] };
      s.burstInFlight = true;
      for (let i = 0; i < this.opts.burst; i++) {
        if (i === 0 || this.burstGapMs <= 0) this.sendRequest(burst);
        else {
          const t = setTimeout(() => {
            this.burstTimers.delete(t);
            this.sendRequest(burst);
          }, i * this.burstGapMs);
          this.burstTimers.add(t);
        }
      }
    }
  }

  private async resolve(s: ServerState): Promise<void> {
    if (isIP(s.host)) {
      s.address = s.host;
      return;
    }
    try {
      s.address = (await lookup(s.host)).address;
    } catch (err) {
      s.address = null;
      this.log?.warn('cannot resolve NTP server', { server: s.label, error: String(err) });
    }
  }

  private socketFor(address: string): ClientSocket {
    const fam = isIP(address) === 6 ? 6 : 4;
    let cs = this.sockets[fam];
    if (!cs) {
      const sock = DgramAsPromised.createSocket(fam === 6 ? 'udp6' : 'udp4');
      sock.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
      sock.socket.on('error', (err) => this.log?.error('NTP client socket error', { error: String(err) }));
      // Ephemeral port on all local addresses; node queues sends issued while the bind is pending.
      const ready = sock.bind(0).then(
        () => undefined,
        (err: unknown) => {
          this.log?.error('NTP client cannot bind a UDP socket', { error: String(err) });
        },
      );
      cs = { sock, ready };
      this.sockets[fam] = cs;
    }
    return cs;
  }

  private sendRequest(burst: Burst): void {
    const s = burst.server;
    if (!this.running || s.address === null) {
      this.resolveRequest(burst);
      return;
    }
    const packet = encodeNtpPacket({
      leap: 0,
      version: 4,
      mode: MODE_CLIENT,
      stratum: 0,
      poll: Math.max(0, Math.min(17, Math.round(Math.log2(this.opts.pollMs / 1000)))),
      precision: -20,
      rootDelayNs: 0n,
      rootDispersionNs: 0n,
      refId: 0,
      referenceTs: 0n,
      originTs: 0n,
      receiveTs: 0n,
      transmitTs: 0n,
    });
    // t1 as late as possible: only the transmit field is written after it (send overhead biases θ).
    const t1 = this.opts.clock.nowNs();
    // Ground truth for this very reading (a second host read would be later by its own cost).
    const trueT1 = this.opts.clock.simulated ? (this.opts.clock.lastTrueNs ?? this.opts.clock.trueNowNs?.()) : undefined;
    let key = unixNsToNtp(t1);
    while (this.pending.has(key)) key++; // two requests in the same 0.23 ns: keep origins unique
    packet.writeBigUInt64BE(key, 40);
    // Send before the bookkeeping: the reply cannot be handled before this function returns.
    this.socketFor(s.address)
      .sock.send(packet, s.port, s.address)
      .catch((err: unknown) => {
        // e.g. EHOSTUNREACH: the timeout below still resolves the request.
        this.log?.debug('NTP request send failed', { server: s.label, error: String(err) });
      });
    const timer = setTimeout(() => {
      if (!this.pending.delete(key)) return;
      s.counts.timeouts++;
      this.emitRow(s, { t1_ns: t1, status: 'error', accepted: 0, reason: `timeout: no reply within ${this.opts.timeoutMs} ms` });
      this.resolveRequest(burst);
    }, this.opts.timeoutMs);
    this.pending.set(key, { burst, t1, trueT1, timer });
    s.counts.sent++;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    // t4 first: everything else happens after the arrival instant is captured.
    const t4 = this.opts.clock.nowNs();
    const trueT4 = this.opts.clock.simulated ? (this.opts.clock.lastTrueNs ?? this.opts.clock.trueNowNs?.()) : undefined;
    const s = this.servers.find((x) => x.address === rinfo.address && x.port === rinfo.port);
    if (!s) {
      this.foreign++;
      this.log?.debug('NTP reply from unknown address ignored', { from: `${rinfo.address}:${rinfo.port}` });
      return;
    }
    // The origin timestamp must echo one of our outstanding transmit timestamps for this server.
    const origin = msg.length >= 32 ? msg.readBigUInt64BE(24) : -1n;
    const p = this.pending.get(origin);
    if (!p || p.burst.server !== s) {
      this.unmatched++;
      this.log?.debug('NTP reply with unknown origin ignored (late, duplicate or bogus)', { server: s.label });
      return;
    }
    this.pending.delete(origin);
    clearTimeout(p.timer);
    const burst = p.burst;
    const t1 = p.t1;
    const reject = (status: SourceStatus, reason: string, counter: 'invalid' | 'unsynced' | 'kisses'): void => {
      s.counts[counter]++;
      this.emitRow(s, { t1_ns: t1, t4_ns: t4, status, accepted: 0, reason });
      this.resolveRequest(burst);
    };

    const decoded = decodeNtpPacket(msg, MODE_SERVER);
    if (!decoded.ok) return reject('error', decoded.error.message, 'invalid');
    const r = decoded.packet;
    if (r.stratum === 0) {
      const code = refIdToAscii(r.refId);
      s.backoffPolls = Math.max(s.backoffPolls, KISS_BACKOFF_POLLS[code] ?? KISS_BACKOFF_DEFAULT);
      this.log?.warn("NTP kiss-o'-death", { server: s.label, code, backoff_polls: s.backoffPolls });
      return reject('error', `kiss-o'-death ${code}`, 'kisses');
    }
    if (r.leap === LEAP_UNSYNC) return reject('unsynced', 'server leap indicator 3 (unsynchronised)', 'unsynced');
    if (r.stratum > 15) return reject('unsynced', `server stratum ${r.stratum} (unsynchronised)`, 'unsynced');
    if (r.transmitTs === 0n || r.receiveTs === 0n) return reject('error', 'zero receive or transmit timestamp', 'invalid');
    const t2 = ntpToUnixNs(r.receiveTs, t1);
    const t3 = ntpToUnixNs(r.transmitTs, t1);
    const { offsetNs, delayNs } = offsetAndDelay(t1, t2, t3, t4);
    if (t3 < t2 || delayNs < 0n)
      return reject('error', `inconsistent timestamps (t3 − t2 = ${t3 - t2} ns, delay ${delayNs} ns)`, 'invalid');

    const sample: NtpSample = {
      server: s.label,
      t1_ns: t1,
      t2_ns: t2,
      t3_ns: t3,
      t4_ns: t4,
      offset_ns: offsetNs,
      delay_ns: delayNs,
      root_delay_ns: r.rootDelayNs,
      root_dispersion_ns: r.rootDispersionNs,
      stratum: r.stratum,
      leap: r.leap,
      accepted: false,
      reason: '',
    };
    if (p.trueT1 !== undefined && trueT4 !== undefined) {
      sample.true_t1_ns = p.trueT1;
      sample.true_t4_ns = trueT4;
    }
    burst.candidates.push(sample);
    this.resolveRequest(burst);
  }

  private resolveRequest(burst: Burst): void {
    burst.outstanding--;
    if (burst.outstanding <= 0) this.finishBurst(burst);
  }

  /**
   * Popcorn-spike filter (as chrony's): a burst whose best delay is far above the recent minimum
   * was queued somewhere, and its offset error (up to δ/2) with it; reject it — unless spikes
   * keep coming, which means the path itself changed (then accept and start over).
   */
  private delaySpike(s: ServerState, delayNs: bigint): string | null {
    const recent = s.recentDelays;
    const floor = recent.length >= 4 ? recent.reduce((a, b) => (b < a ? b : a)) : null;
    if (floor !== null && delayNs > 3n * floor + 1_000_000n && s.spikesInRow < 3) {
      s.spikesInRow++;
      return `delay spike: ${delayNs} ns > 3 × recent minimum ${floor} ns + 1 ms (${s.spikesInRow} in a row)`;
    }
    s.spikesInRow = 0;
    recent.push(delayNs);
    if (recent.length > 8) recent.shift();
    return null;
  }

  /** Best-of-burst: the minimum-delay reply is the least disturbed by queueing; keep it. */
  private finishBurst(burst: Burst): void {
    const s = burst.server;
    s.burstInFlight = false;
    const n = burst.candidates.length;
    let best: NtpSample | null = null;
    for (const c of burst.candidates) if (!best || c.delay_ns < best.delay_ns) best = c;
    const spike = best ? this.delaySpike(s, best.delay_ns) : null;
    for (const c of burst.candidates) {
      c.accepted = c === best && spike === null;
      c.reason = c.accepted
        ? `minimum delay of ${n} valid repl${n === 1 ? 'y' : 'ies'} (burst ${this.opts.burst})`
        : c === best
          ? spike!
          : `burst: delay ${c.delay_ns} ns > minimum ${best!.delay_ns} ns`;
      if (c.accepted) s.counts.accepted++;
      else s.counts.rejected++;
      this.emitSample(c);
    }
    if (spike !== null) best = null;
    s.lastBurstOk = best !== null;
    if (best) {
      s.lastAccepted = best;
      this.acceptedBursts++;
      this.history.push(best);
      const cap = this.opts.historySize ?? 512;
      if (this.history.length > cap) this.history.splice(0, this.history.length - cap);
    }
    const next = this.computeModel();
    if (next) this.prevModel = this.model;
    this.firstModelMono ??= next?.sinceMono ?? null;
    this.model = next;
  }

  /**
   * Combine servers: those whose latest burst succeeded count as current (status ok); if none
   * did, the latest samples of the others are used with status `degraded` until they are stale.
   * One or two servers: the minimum-delay sample. Three or more: the sample with the median
   * offset (a real measurement, no averaging), which outvotes a single falseticker.
   */
  private computeModel(): Model | null {
    const current = this.servers.filter((s) => s.lastBurstOk && s.lastAccepted).map((s) => s.lastAccepted!);
    const usable = current.length ? current : this.servers.flatMap((s) => (s.lastAccepted ? [s.lastAccepted] : []));
    if (usable.length === 0) return null;
    let pick: NtpSample;
    if (usable.length <= 2) {
      pick = usable.reduce((a, b) => (b.delay_ns < a.delay_ns ? b : a));
    } else {
      const byOffset = [...usable].sort((a, b) => cmp(a.offset_ns, b.offset_ns) || cmp(a.delay_ns, b.delay_ns));
      const mid = byOffset.length >> 1;
      pick =
        byOffset.length % 2 ? byOffset[mid]! : [byOffset[mid - 1]!, byOffset[mid]!].reduce((a, b) => (b.delay_ns < a.delay_ns ? b : a));
    }
    const oldestT4 = usable.reduce((m, x) => (x.t4_ns < m ? x.t4_ns : m), usable[0]!.t4_ns);
    const jumped = this.jumpUnconfirmed(pick.offset_ns);
    return {
      offsetNs: pick.offset_ns,
      status: current.length && !jumped ? 'ok' : 'degraded',
      oldestT4,
      servers: usable.map((x) => x.server),
      sinceMono: process.hrtime.bigint(),
    };
  }

  /**
   * A jump of the offset beyond STEP_THRESHOLD_NS (ntpd's 128 ms step threshold) is reported as
   * `degraded` until a later burst agrees with the new offset: one server cannot tell a stepped
   * local clock from a lying server, so the value is kept but flagged.
   */
  private jumpUnconfirmed(offsetNs: bigint): boolean {
    const prev = this.model?.offsetNs;
    const far = (a: bigint, b: bigint): boolean => (a > b ? a - b : b - a) > STEP_THRESHOLD_NS;
    if (this.unconfirmedJumpNs !== null) {
      const confirmed = !far(offsetNs, this.unconfirmedJumpNs);
      if (confirmed) this.log?.warn('NTP offset jump confirmed by a second burst', { offset_ns: offsetNs });
      this.unconfirmedJumpNs = confirmed ? null : offsetNs;
      return !confirmed;
    }
    if (prev !== undefined && far(offsetNs, prev)) {
      this.unconfirmedJumpNs = offsetNs;
      this.log?.warn('NTP offset jumped; degraded until a second burst agrees', { from_ns: prev, to_ns: offsetNs });
      return true;
    }
    return false;
  }

  // ---- output --------------------------------------------------------------------------------

  private emitSample(c: NtpSample): void {
    const trueOffset =
      c.true_t1_ns !== undefined && c.true_t4_ns !== undefined ? (c.true_t1_ns - c.t1_ns + (c.true_t4_ns - c.t4_ns)) / 2n : null;
    this.emitRow(
      this.servers.find((s) => s.label === c.server)!,
      {
        t1_ns: c.t1_ns,
        t2_ns: c.t2_ns,
        t3_ns: c.t3_ns,
        t4_ns: c.t4_ns,
        offset_ns: c.offset_ns,
        delay_ns: c.delay_ns,
        root_delay_ns: c.root_delay_ns,
        root_dispersion_ns: c.root_dispersion_ns,
        stratum: c.stratum,
        leap: c.leap,
        status: 'ok',
        accepted: c.accepted ? 1 : 0,
        reason: c.reason,
        true_offset_ns: trueOffset,
      },
    );
    for (const l of this.listeners) {
      try {
        l(c);
      } catch (err) {
        this.log?.error('NTP sample listener threw', { error: String(err) });
      }
    }
  }

  private emitRow(s: ServerState, cols: SyncRow): void {
    if (!this.opts.sink) return;
    const local = (cols.t4_ns ?? cols.t1_ns) as bigint | undefined;
    const row: SyncRow = { source: 'ntp', sample_local_ns: local ?? this.opts.clock.nowNs(), server: s.label, ...cols };
    if (this.opts.runId !== undefined) row.run_id = this.opts.runId;
    if (this.opts.nodeId !== undefined) row.node_id = this.opts.nodeId;
    this.opts.sink(row);
  }
}

/** "host:port", "[v6]:port", "host" (port 123). Throws a clear error on anything else. */
export function parseNtpServer(spec: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`ntp server "${spec}": expected host:port (IPv6 as [addr]:port)`);
  const port = m[2] === undefined ? 123 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`ntp server "${spec}": port must be 1..65535`);
  return { host: m[1]!, port };
}

function newServerState(spec: string): ServerState {
  const { host, port } = parseNtpServer(spec);
  return {
    label: spec,
    host,
    port,
    address: null,
    lastAccepted: null,
    lastBurstOk: false,
    burstInFlight: false,
    backoffPolls: 0,
    counts: { sent: 0, accepted: 0, rejected: 0, timeouts: 0, kisses: 0, invalid: 0, unsynced: 0 },
    recentDelays: [],
    spikesInRow: 0,
  };
}

function describeFailures(s: ServerState): string {
  const c = s.counts;
  if (c.sent === 0) return s.address === null ? 'unresolved' : 'not polled yet';
  return `sent ${c.sent}, timeouts ${c.timeouts}, kiss ${c.kisses}, unsynced ${c.unsynced}, invalid ${c.invalid}`;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fmtMs(ns: bigint): string {
  return `${(Number(ns) / 1e6).toFixed(3)} ms`;
}
