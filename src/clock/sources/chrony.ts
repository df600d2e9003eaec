// chrony source: runs `chronyc -c tracking` on its own timer (never on the receive path) and
// turns chrony's view of the host clock into an interval with the ClockBound rule:
//   bound = |system time offset| + root delay / 2 + root dispersion (+ PHI · time since the poll).
import { execFile } from 'node:child_process';
import type { Reading, SourceStatus } from '../types.js';
import { EMPTY_READING } from '../types.js';
import { PolledSource, withContext, type PolledSourceContext, type PolledSourceOptions, type StatusReason } from './polled-source.js';

/** One `chronyc -c tracking` line, in the units chrony prints (seconds, ppm). */
export interface ChronyTracking {
  refId: string;
  refName: string;
  stratum: number;
  refTimeS: number;
  /** System time offset in seconds; positive = the system clock is slow of NTP time. */
  systemOffsetS: number;
  lastOffsetS: number;
  rmsOffsetS: number;
  frequencyPpm: number;
  residualFreqPpm: number;
  skewPpm: number;
  rootDelayS: number;
  rootDispersionS: number;
  updateIntervalS: number;
  leap: string;
}

const LEAP_CODES: Record<string, number> = { Normal: 0, 'Insert second': 1, 'Delete second': 2, 'Not synchronised': 3 };

/** Parse `chronyc -c tracking` output; throws an error naming the field that is wrong. */
export function parseChronyTracking(stdout: string): ChronyTracking {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!line) throw new Error('chronyc printed nothing');
  const f = line.split(',');
  if (f.length < 14) throw new Error(`chronyc tracking: expected 14 CSV fields, got ${f.length}: ${JSON.stringify(line.slice(0, 120))}`);
  const num = (i: number, name: string): number => {
    const v = Number(f[i]);
    if (f[i]!.trim() === '' || !Number.isFinite(v))
      throw new Error(`chronyc tracking: field ${name} is not a number: ${JSON.stringify(f[i])}`);
    return v;
  };
  const t: ChronyTracking = {
    refId: f[0]!,
    refName: f[1]!,
    stratum: num(2, 'stratum'),
    refTimeS: num(3, 'ref time'),
    systemOffsetS: num(4, 'system time'),
    lastOffsetS: num(5, 'last offset'),
    rmsOffsetS: num(6, 'RMS offset'),
    frequencyPpm: num(7, 'frequency'),
    residualFreqPpm: num(8, 'residual freq'),
    skewPpm: num(9, 'skew'),
    rootDelayS: num(10, 'root delay'),
    rootDispersionS: num(11, 'root dispersion'),
    updateIntervalS: num(12, 'update interval'),
    leap: f[13]!.trim(),
  };
  if (!(t.leap in LEAP_CODES)) throw new Error(`chronyc tracking: unknown leap status ${JSON.stringify(t.leap)}`);
  if (t.rootDelayS < 0 || t.rootDispersionS < 0) throw new Error('chronyc tracking: negative root delay or dispersion');
  return t;
}

/** chrony's own verdict on its state: ok, or unsynced with the reason. */
export function chronyStatus(t: ChronyTracking): { status: SourceStatus; reason: string } {
  if (t.leap === 'Not synchronised') return { status: 'unsynced', reason: 'chrony: leap status Not synchronised' };
  if (/^0+$/.test(t.refId) || t.stratum === 0) return { status: 'unsynced', reason: 'chrony: no reference selected' };
  return { status: 'ok', reason: `ref ${t.refId}${t.refName ? ` (${t.refName})` : ''}, stratum ${t.stratum}, leap ${t.leap}` };
}

/** The ClockBound rule, in ns. */
export function chronyBoundNs(t: ChronyTracking): number {
  return (Math.abs(t.systemOffsetS) + t.rootDelayS / 2 + t.rootDispersionS) * 1e9;
}

export interface ChronySourceOptions extends PolledSourceOptions {
  /** chronyc binary (default `chronyc` on PATH). */
  chronycPath?: string;
  /** chronyc `-h`: a host name / address, or the path of chronyd's unix command socket. */
  host?: string;
  /** chronyc `-p`: chronyd's command port (UDP). */
  port?: number;
  /** A chronyc run taking longer is killed and counts as an error (ms, default 2000). */
  timeoutMs?: number;
  /** Error growth since the last poll, ppm (default 15, RFC 5905 PHI). */
  phiPpm?: number;
}

interface ChronyModel {
  tracking: ChronyTracking;
  /** Monotonic ns when the poll returned. */
  monoNs: bigint;
  boundNs: number;
  status: SourceStatus;
}

export class ChronySource extends PolledSource<ChronyModel, ChronySourceOptions> {
  private readonly phi: number;

  constructor(opts: ChronySourceOptions) {
    if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port > 0 && opts.port < 65536)) {
      throw new Error(`chrony source: port must be 1..65535, got ${String(opts.port)}`);
    }
    super(opts, { kind: 'chrony', warmup: { minSamples: 5, minSpanMs: 2000, maxSpreadNs: 1_000_000, maxDriftErrPpm: 50 }, agesOut: true });
    this.phi = (opts.phiPpm ?? 15) * 1e-6;
  }

  /** The chronyc command line this source runs (for logs and reports). */
  get command(): string[] {
    const o = this.opts;
    return [
      o.chronycPath ?? 'chronyc',
      '-n',
      '-c',
      ...(o.host ? ['-h', o.host] : []),
      ...(o.port ? ['-p', String(o.port)] : []),
      'tracking',
    ];
  }

  protected readModel(m: ChronyModel, localNs: bigint, monoNs: bigint): Reading {
    if (m.status !== 'ok') return EMPTY_READING(m.status);
    // An instant just before the model's query (a datagram still queued then) ages the other way.
    const age = monoNs >= m.monoNs ? monoNs - m.monoNs : m.monoNs - monoNs;
    if (age > this.staleNs) return EMPTY_READING('stale');
    const host = localNs + this.frame.hostMinusLocalNs(monoNs);
    const hw = BigInt(Math.ceil(m.boundNs + this.phi * Number(age)));
    return { point_ns: host, lo_ns: host - hw, hi_ns: host + hw, status: 'ok' };
  }

  protected override modelProblem(m: ChronyModel): string | null {
    return m.status !== 'ok' ? `chrony ${m.status}` : null;
  }

  summary(): Record<string, unknown> {
    const t = this.model?.tracking;
    return {
      command: this.command.join(' '),
      polls: this.polls,
      failures: this.failures,
      status: this.failure?.status ?? this.model?.status ?? 'warming',
      reason: this.failure?.reason ?? null,
      bound_ns: this.model ? Math.round(this.model.boundNs) : null,
      ref: t ? `${t.refId} ${t.refName}`.trim() : null,
      stratum: t?.stratum ?? null,
      frequency_ppm: t?.frequencyPpm ?? null,
    };
  }

  protected async poll(): Promise<void> {
    const local = this.opts.clock.nowNs();
    const row = this.newRow(local);
    const [cmd, ...args] = this.command;
    const out = await runChronyc(cmd!, args, this.opts.timeoutMs ?? 2000);
    if ('failure' in out) {
      this.fail(row, out.failure, { status: out.failure.status });
      return;
    }
    let t: ChronyTracking;
    try {
      t = parseChronyTracking(out.stdout);
    } catch (e) {
      // An unreadable answer keeps the detector's history and logs nothing (the row says why).
      this.failures++;
      this.failure = { status: 'error', reason: (e as Error).message };
      this.emitRow(row, EMPTY_READING('error'), this.failure.reason);
      return;
    }
    const st = chronyStatus(t);
    this.failure = null;
    this.model = { tracking: t, monoNs: process.hrtime.bigint(), boundNs: chronyBoundNs(t), status: st.status };
    Object.assign(row, {
      server: t.refName || t.refId,
      offset_ns: Math.round(t.systemOffsetS * 1e9),
      root_delay_ns: Math.round(t.rootDelayS * 1e9),
      root_dispersion_ns: Math.round(t.rootDispersionS * 1e9),
      stratum: t.stratum,
      leap: LEAP_CODES[t.leap],
      drift_ppm: t.frequencyPpm,
      accepted: st.status === 'ok' ? 1 : 0,
    });
    const r = this.read(local);
    const x = this.sinceFirstPoll(local);
    if (r.point_ns !== null) this.detector.add(x, Math.round(t.systemOffsetS * 1e9));
    else this.detector.reset(st.reason);
    this.emitRow(row, r, st.reason);
  }
}

type ChronycOutcome = { stdout: string } | { failure: StatusReason };

/** Run chronyc; every failure becomes a status with a reason a person can act on. */
function runChronyc(cmd: string, args: string[], timeoutMs: number): Promise<ChronycOutcome> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ stdout: String(stdout) });
        return;
      }
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      if (e.code === 'ENOENT') {
        resolve({ failure: { status: 'absent', reason: `chronyc not found (${cmd}); install chrony or set chronycPath` } });
      } else if (e.killed) {
        resolve({ failure: { status: 'error', reason: `chronyc timed out after ${timeoutMs} ms` } });
      } else {
        const msg = `${String(stderr)} ${String(stdout)}`.trim().replace(/\s+/g, ' ').slice(0, 200);
        resolve({ failure: { status: 'error', reason: `chronyc failed (exit ${String(e.code)}): ${msg || e.message}` } });
      }
    });
  });
}

/** Registry factory: options from `--config` under `sources.chrony` (see docs/sources.md). */
export function createChronySource(ctx: PolledSourceContext, options: Partial<ChronySourceOptions> = {}): ChronySource {
  return new ChronySource(withContext(ctx, options));
}
