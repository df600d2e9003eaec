// ptp source: asks linuxptp's ptp4l, through `pmc` on its UNIX management socket, for its offset
// from the master, mean path delay and port state, on its own timer (never on the receive path).
// With offset θ = slave − master at the last Sync's ingress I, mean path delay D (one-way) and a
// margin M, at a local instant T (host clock h(T), age a = h(T) − I):
//   disciplined  (the system clock is steered to PTP time):  h(T) ± (|θ| + D + M + phiPpm·a)
//   free-running (nobody corrects it, ptp4l free_running 1): h(T) − θ ± (D + M + g·a)
// with g = maxDriftPpm until the offsets' drift fit converged, then |drift| + 3σ(drift) + phiPpm.
// D, not D/2: D is already the one-way mean, and the Sync's one-way delay lies anywhere in
// [0, 2D], so the asymmetry error of θ is at most D. docs/sources.md has the derivation.
import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import type { Reading } from '../types.js';
import { EMPTY_READING } from '../types.js';
import { PolledSource, withContext, type PolledSourceContext, type PolledSourceOptions, type StatusReason } from './polled-source.js';
import { PMC_QUERIES, parsePmcOutput, ptpVerdict, type PtpFrame, type PtpSnapshot, type PtpVerdict } from './ptp-pmc.js';
import { ceilNs, floorNs } from './source-util.js';

/** How often the source looks for a running phc2sys (ms). */
const PHC2SYS_SCAN_MS = 10_000;

/** ptp4l's default `uds_address`. */
const PTP_DEFAULT_UDS = '/var/run/ptp4l';

/**
 * Default margin by timestamping mode (ns): what the offset's own error can exceed D by (a Sync
 * stamped late by a busy kernel, a delay filter lagging a change; with phc2sys, its residual).
 * Software: a loaded 2-core host showed spikes of 81 µs at a true offset of 0 (docs/sources.md).
 */
const MARGIN_SOFTWARE_NS = 100_000;
const MARGIN_HARDWARE_NS = 1_000;

export interface PtpSourceOptions extends PolledSourceOptions {
  /** pmc binary (default `pmc` on PATH). */
  pmcPath?: string;
  /** ptp4l's `uds_address` (pmc -s; default /var/run/ptp4l). */
  udsPath?: string;
  /** PTP domain (pmc -d; default 0). */
  domain?: number;
  /** Margin added to every bound, ns (default 100 µs with software timestamping, 1 µs with hardware). */
  marginNs?: number;
  /** Is the system clock steered to PTP time? "auto" (default): by ptp4l's port state and a running phc2sys. */
  disciplined?: boolean | 'auto';
  /** Bound growth of a disciplined clock since the Sync, ppm (default 15, RFC 5905 PHI). */
  phiPpm?: number;
  /** Bound growth of a free-running clock since the Sync until its drift fit converged, and its cap, ppm (default 500). */
  maxDriftPpm?: number;
  /** A pmc run taking longer is killed and counts as an error (ms, default 2000). */
  timeoutMs?: number;
}

const OPTION_NAMES = [
  'pmcPath',
  'udsPath',
  'domain',
  'marginNs',
  'disciplined',
  'phiPpm',
  'maxDriftPpm',
  'timeoutMs',
  'pollMs',
  'staleAfterMs',
  'warmup',
  'name',
];

interface PtpModel {
  snap: PtpSnapshot;
  verdict: PtpVerdict;
  /** Monotonic ns when the poll returned. */
  monoNs: bigint;
  marginNs: number;
  /** The Sync's age is host − ingress when ptp4l's clock is the system clock (software timestamping). */
  ingressOnHostClock: boolean;
  /** Otherwise: age at the poll, taken to be one Sync interval. */
  ageAtPollNs: number;
  /** Free-running: the bound's growth rate (fraction, not ppm). */
  freeGrowth: number;
}

export class PtpSource extends PolledSource<PtpModel, PtpSourceOptions> {
  private readonly phi: number;
  private readonly maxDrift: number;
  private phc2sys: number[] = [];
  private phc2sysScannedMs = -Infinity;
  private lastIngress: bigint | null = null;

  constructor(opts: PtpSourceOptions) {
    checkPtpOptions(opts);
    const pollMs = opts.pollMs ?? 1000;
    // A Sync every second is ptp4l's default: a stale limit under a few of them would flap.
    const staleAfterMs = opts.staleAfterMs ?? Math.max(5 * pollMs, 4000);
    super(
      { ...opts, staleAfterMs },
      {
        kind: 'ptp',
        warmup: { minSamples: 5, minSpanMs: 2000, maxSpreadNs: 100_000, maxDriftErrPpm: 50, spreadPerHalfWidth: 2 },
        agesOut: true,
      },
    );
    this.phi = (opts.phiPpm ?? 15) * 1e-6;
    this.maxDrift = (opts.maxDriftPpm ?? 500) * 1e-6;
  }

  /** The pmc command line this source runs (for logs and reports). */
  get command(): string[] {
    const o = this.opts;
    return [o.pmcPath ?? 'pmc', '-u', '-b', '0', '-d', String(o.domain ?? 0), '-s', o.udsPath ?? PTP_DEFAULT_UDS, ...PMC_QUERIES];
  }

  protected readModel(m: PtpModel, localNs: bigint, monoNs: bigint): Reading {
    if (m.verdict.status !== 'ok') return EMPTY_READING(m.verdict.status);
    const host = localNs + this.frame.hostMinusLocalNs(monoNs);
    // An instant before the Sync (a datagram still queued then) ages the other way.
    const age = m.ingressOnHostClock
      ? Math.abs(Number(host - m.snap.time.ingressTimeNs))
      : Math.abs(Number(monoNs - m.monoNs)) + m.ageAtPollNs;
    if (age > Number(this.staleNs)) return EMPTY_READING('stale');
    const b = ptpBound(m.verdict.frame!, m.snap.time.masterOffsetNs, m.snap.current.meanPathDelayNs, m.marginNs, age, {
      phi: this.phi,
      maxDrift: m.freeGrowth,
    });
    return {
      point_ns: host + BigInt(Math.round(b.centreNs)),
      lo_ns: host + floorNs(b.centreNs - b.halfWidthNs),
      hi_ns: host + ceilNs(b.centreNs + b.halfWidthNs),
      status: 'ok',
    };
  }

  protected override modelProblem(m: PtpModel): string | null {
    return m.verdict.status !== 'ok' ? `ptp ${m.verdict.status}: ${m.verdict.reason}` : null;
  }

  summary(): Record<string, unknown> {
    const m = this.model;
    return {
      command: this.command.join(' '),
      polls: this.polls,
      failures: this.failures,
      status: this.failure?.status ?? m?.verdict.status ?? 'warming',
      reason: this.failure?.reason ?? m?.verdict.reason ?? null,
      frame: m?.verdict.frame ?? null,
      port_state: m?.verdict.port.portState ?? null,
      timestamping: m?.verdict.port.timestamping ?? null,
      gm_identity: m?.snap.time.gmIdentity ?? null,
      master_offset_ns: m?.snap.time.masterOffsetNs ?? null,
      mean_path_delay_ns: m?.snap.current.meanPathDelayNs ?? null,
      margin_ns: m?.marginNs ?? null,
      growth_ppm: m ? (m.verdict.frame === 'free-running' ? m.freeGrowth : this.phi) * 1e6 : null,
      phc2sys_pids: this.phc2sys,
    };
  }

  /**
   * A free-running clock's offset moves at its frequency error against the grandmaster: the
   * detector's drift fit of −θ, once converged, bounds it (3σ, plus phiPpm for wander), never
   * beyond maxDriftPpm; before that, maxDriftPpm.
   */
  private freeGrowth(): number {
    const st = this.detector.assess();
    if (!st.ready || st.drift_ppm === null || st.drift_err_ppm === null) return this.maxDrift;
    return Math.min(this.maxDrift, (Math.abs(st.drift_ppm) + 3 * st.drift_err_ppm) * 1e-6 + this.phi);
  }

  /** phc2sys pids, rescanned at most every PHC2SYS_SCAN_MS: a /proc scan reads one file per process. */
  private async phc2sysNow(): Promise<number[]> {
    const now = Date.now();
    if (now - this.phc2sysScannedMs >= PHC2SYS_SCAN_MS) {
      this.phc2sysScannedMs = now;
      this.phc2sys = await phc2sysPids();
    }
    return this.phc2sys;
  }

  protected async poll(): Promise<void> {
    const local = this.opts.clock.nowNs();
    const row = this.newRow(local);
    const [cmd, ...args] = this.command;
    const [out, pids] = await Promise.all([runPmc(cmd!, args, this.opts.timeoutMs ?? 2000), this.phc2sysNow()]);
    if ('failure' in out) {
      this.fail(row, out.failure, { status: out.failure.status });
      return;
    }
    let snap: PtpSnapshot;
    try {
      snap = parsePmcOutput(out.stdout, this.opts.udsPath ?? PTP_DEFAULT_UDS);
    } catch (e) {
      this.fail(row, { status: 'error', reason: (e as Error).message });
      return;
    }
    const verdict = ptpVerdict(snap, this.opts.disciplined ?? 'auto', pids);
    if (this.failure || this.model?.verdict.reason !== verdict.reason)
      this.opts.logger?.info(`ptp source: ${verdict.status}: ${verdict.reason}`);
    this.failure = null;
    const ts = verdict.port.timestamping;
    const log = verdict.port.logSyncInterval;
    this.model = {
      snap,
      verdict,
      monoNs: process.hrtime.bigint(),
      marginNs: this.opts.marginNs ?? (ts === 'SOFTWARE' || ts === null ? MARGIN_SOFTWARE_NS : MARGIN_HARDWARE_NS),
      ingressOnHostClock: ts === 'SOFTWARE',
      ageAtPollNs: (log === null ? 1 : 2 ** log) * 1e9,
      freeGrowth: this.model?.freeGrowth ?? this.maxDrift,
    };
    const theta = snap.time.masterOffsetNs;
    Object.assign(row, {
      server: snap.time.gmIdentity,
      t2_ns: snap.time.ingressTimeNs === 0n ? null : snap.time.ingressTimeNs,
      offset_ns: snap.time.ingressTimeNs === 0n ? null : -theta,
      delay_ns: snap.time.ingressTimeNs === 0n ? null : snap.current.meanPathDelayNs,
      accepted: verdict.status === 'ok' ? 1 : 0,
    });
    const r = this.read(local);
    if (r.point_ns === null) this.detector.reset(verdict.reason);
    else if (snap.time.ingressTimeNs !== this.lastIngress) {
      // One detector sample per Sync: polls faster than Syncs would repeat the same estimate.
      // At the Sync's own instant when it is on the host clock: the poll lags it by up to a Sync interval.
      const at = this.model.ingressOnHostClock ? snap.time.ingressTimeNs : local;
      this.detector.add(this.sinceFirstPoll(at), Number(r.point_ns - local), Number(r.hi_ns! - r.lo_ns!) / 2);
    }
    this.model.freeGrowth = this.freeGrowth();
    this.lastIngress = snap.time.ingressTimeNs;
    this.emitRow(row, r, verdict.reason);
  }
}

type PmcOutcome = { stdout: string } | { failure: StatusReason };

/** Run pmc; every failure becomes a status with a reason a person can act on. */
function runPmc(cmd: string, args: string[], timeoutMs: number): Promise<PmcOutcome> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ stdout: String(stdout) });
        return;
      }
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      if (e.code === 'ENOENT') {
        resolve({ failure: { status: 'absent', reason: `pmc not found (${cmd}); install linuxptp or set pmcPath` } });
      } else if (e.killed) {
        // A killed pmc leaves its client socket (/var/run/pmc.<pid>, its -u default) behind.
        const failure: StatusReason = { status: 'error', reason: `pmc timed out after ${timeoutMs} ms` };
        void rm(`/var/run/pmc.${child.pid}`, { force: true })
          .catch(() => undefined)
          .finally(() => resolve({ failure }));
      } else {
        const msg = `${String(stderr)} ${String(stdout)}`.trim().replace(/\s+/g, ' ').slice(0, 200);
        resolve({ failure: { status: 'error', reason: `pmc failed (exit ${String(e.code)}): ${msg || e.message}` } });
      }
    });
  });
}

/**
 * The reading's rule (module comment), relative to the host clock: true − host lies in
 * centre ± halfWidth. θ = slave − master (ns) at the Sync, D its mean path delay, age since the Sync.
 */
export function ptpBound(
  frame: PtpFrame,
  thetaNs: number,
  delayNs: number,
  marginNs: number,
  ageNs: number,
  growth: { phi: number; maxDrift: number },
): { centreNs: number; halfWidthNs: number } {
  if (frame === 'free-running') return { centreNs: -thetaNs, halfWidthNs: delayNs + marginNs + growth.maxDrift * ageNs };
  return { centreNs: 0, halfWidthNs: Math.abs(thetaNs) + delayNs + marginNs + growth.phi * ageNs };
}

/** Pids of running phc2sys processes (the one daemon that copies a PHC's PTP time to the system clock). */
export async function phc2sysPids(): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        try {
          if ((await readFile(`/proc/${n}/comm`, 'utf8')).trim() === 'phc2sys') pids.push(Number(n));
        } catch {
          /* exited meanwhile */
        }
      }),
  );
  return pids.sort((a, b) => a - b);
}

/** Bad options are named with what was given and what is accepted. */
function checkPtpOptions(o: PtpSourceOptions): void {
  const bad = (what: string, v: unknown, want: string): Error =>
    new Error(`ptp source: option ${what} is ${JSON.stringify(v)}; give ${want} (docs/sources.md, ptp)`);
  for (const k of Object.keys(o)) {
    if (['clock', 'sink', 'logger', 'nodeId', 'runId'].includes(k)) continue;
    if (!OPTION_NAMES.includes(k))
      throw new Error(`ptp source: unknown option "${k}" in --source-options; known: ${OPTION_NAMES.join(', ')}`);
  }
  if (o.disciplined !== undefined && o.disciplined !== true && o.disciplined !== false && o.disciplined !== 'auto')
    throw bad('disciplined', o.disciplined, 'true, false or "auto"');
  if (o.domain !== undefined && !(Number.isInteger(o.domain) && o.domain >= 0 && o.domain <= 255))
    throw bad('domain', o.domain, 'a whole number 0..255');
  for (const k of ['marginNs', 'phiPpm', 'maxDriftPpm'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw bad(k, v, 'a number ≥ 0');
  }
  for (const k of ['pmcPath', 'udsPath'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'string' && v !== '')) throw bad(k, v, 'a non-empty path');
  }
  if (o.timeoutMs !== undefined && !(typeof o.timeoutMs === 'number' && o.timeoutMs > 0))
    throw bad('timeoutMs', o.timeoutMs, 'a number of ms > 0');
}

/** Registry factory: options from `--source-options` under `ptp` (see docs/sources.md). */
export function createPtpSource(ctx: PolledSourceContext, options: Partial<PtpSourceOptions> = {}): PtpSource {
  return new PtpSource(withContext(ctx, options));
}
