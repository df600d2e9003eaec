// linuxptp's `pmc` text output → typed data sets, and the port state → a source status. Pure
// functions: the ptp source runs pmc on its timer and hands the text here.
//
// pmc prints one block per management response:
//   \t<portIdentity> seq <n> RESPONSE MANAGEMENT <DATA_SET>
//   \t\t<field> <value>
// and nothing but its own `sending: GET …` lines when no ptp4l answers.
import type { SourceStatus } from '../types.js';

/** The management queries the ptp source sends, in this order (`pmc -u -b 0 -s UDS …`). */
export const PMC_QUERIES = ['GET TIME_STATUS_NP', 'GET CURRENT_DATA_SET', 'GET PORT_DATA_SET', 'GET PORT_PROPERTIES_NP'] as const;

interface PmcBlock {
  from: string;
  dataSet: string;
  error: boolean;
  fields: Map<string, string>;
}

/** TIME_STATUS_NP: linuxptp's own view of the last Sync. */
export interface PtpTimeStatus {
  /** ns, slave − master (linuxptp tsproc: offset = t2 − t1 − meanPathDelay), measured at ingressTimeNs. */
  masterOffsetNs: number;
  /** The last Sync's receive stamp on ptp4l's clock (ns since the epoch; 0 before the first). */
  ingressTimeNs: bigint;
  gmPresent: boolean;
  gmIdentity: string;
}

/** CURRENT_DATA_SET (IEEE 1588 §8.2.2; pmc prints scaled ns divided by 2^16). */
export interface PtpCurrentDataSet {
  stepsRemoved: number;
  /** ns, the same quantity as masterOffsetNs with sub-ns digits. */
  offsetFromMasterNs: number;
  /** ns, one-way: (round trip − residence times) / 2, filtered by ptp4l (delay_filter). */
  meanPathDelayNs: number;
}

export interface PtpPort {
  portIdentity: string;
  portState: string;
  logSyncInterval: number | null;
  /** PORT_PROPERTIES_NP: SOFTWARE (ptp4l -S: its clock is CLOCK_REALTIME), HARDWARE (a PHC), … */
  timestamping: string | null;
}

export interface PtpSnapshot {
  time: PtpTimeStatus;
  current: PtpCurrentDataSet;
  ports: PtpPort[];
}

function blocks(stdout: string): PmcBlock[] {
  const out: PmcBlock[] = [];
  let cur: PmcBlock | null = null;
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    const head = /^\s*(\S+) seq \d+ (?:RESPONSE|ACKNOWLEDGE) (MANAGEMENT|MANAGEMENT_ERROR_STATUS) (\S+)/.exec(line);
    if (head) {
      cur = { from: head[1]!, error: head[2] === 'MANAGEMENT_ERROR_STATUS', dataSet: head[3]!, fields: new Map() };
      out.push(cur);
      continue;
    }
    if (line.startsWith('sending:') || line.trim() === '') continue;
    const field = /^\s+(\S+)\s+(.*)$/.exec(line);
    if (cur && field) cur.fields.set(field[1]!, field[2]!.trim());
  }
  return out;
}

const num = (b: PmcBlock, key: string): number => {
  const s = b.fields.get(key);
  const v = Number(s);
  if (s === undefined || s === '' || !Number.isFinite(v))
    throw new Error(`pmc ${b.dataSet}: field ${key} is ${s === undefined ? 'missing' : `not a number: ${JSON.stringify(s)}`}`);
  return v;
};

const str = (b: PmcBlock, key: string): string => {
  const s = b.fields.get(key);
  if (s === undefined || s === '') throw new Error(`pmc ${b.dataSet}: field ${key} is missing`);
  return s;
};

/**
 * Parse the answers to PMC_QUERIES. Throws an error saying what is missing or malformed; an
 * output with no response at all says that ptp4l did not answer.
 */
export function parsePmcOutput(stdout: string, where = 'the UDS'): PtpSnapshot {
  const all = blocks(stdout);
  if (all.length === 0) throw new Error(`no answer from ptp4l at ${where} (is ptp4l running, with this uds_address and domain?)`);
  const failed = all.find((b) => b.error);
  if (failed) throw new Error(`ptp4l refused GET ${failed.dataSet}: ${[...failed.fields].map(([k, v]) => `${k} ${v}`).join(' ')}`);
  const one = (ds: string): PmcBlock => {
    const b = all.find((x) => x.dataSet === ds);
    if (!b) throw new Error(`pmc printed no ${ds} answer`);
    return b;
  };
  const ts = one('TIME_STATUS_NP');
  const ingress = str(ts, 'ingress_time');
  if (!/^\d+$/.test(ingress)) throw new Error(`pmc TIME_STATUS_NP: field ingress_time is not a count of ns: ${JSON.stringify(ingress)}`);
  const gm = str(ts, 'gmPresent');
  if (gm !== 'true' && gm !== 'false') throw new Error(`pmc TIME_STATUS_NP: field gmPresent is ${JSON.stringify(gm)}, not true/false`);
  const cds = one('CURRENT_DATA_SET');
  const props = all.filter((b) => b.dataSet === 'PORT_PROPERTIES_NP');
  const ports = all
    .filter((b) => b.dataSet === 'PORT_DATA_SET')
    .map((b): PtpPort => {
      const id = str(b, 'portIdentity');
      const p = props.find((x) => x.fields.get('portIdentity') === id);
      return {
        portIdentity: id,
        portState: str(b, 'portState'),
        logSyncInterval: b.fields.has('logSyncInterval') ? num(b, 'logSyncInterval') : null,
        timestamping: p?.fields.get('timestamping') ?? null,
      };
    });
  if (ports.length === 0) throw new Error('pmc printed no PORT_DATA_SET answer');
  return {
    time: {
      masterOffsetNs: num(ts, 'master_offset'),
      ingressTimeNs: BigInt(ingress),
      gmPresent: gm === 'true',
      gmIdentity: str(ts, 'gmIdentity'),
    },
    current: {
      stepsRemoved: num(cds, 'stepsRemoved'),
      offsetFromMasterNs: num(cds, 'offsetFromMaster'),
      meanPathDelayNs: num(cds, 'meanPathDelay'),
    },
    ports,
  };
}

/**
 * How the host clock relates to ptp4l's measurement. `disciplined`: something steers the system
 * clock to PTP time (ptp4l itself with software timestamping, or phc2sys from a PHC), so the
 * clock is the point and the offset its residual error. `free-running`: nobody corrects it
 * (ptp4l `free_running 1`), so the offset is the clock's error and is subtracted.
 */
export type PtpFrame = 'disciplined' | 'free-running';

export interface PtpVerdict {
  status: SourceStatus;
  reason: string;
  /** Set when status is ok: which reading rule applies. */
  frame: PtpFrame | null;
  /** The port whose state decided. */
  port: PtpPort;
}

const WARMING_STATES = ['INITIALIZING', 'LISTENING'];
const LEADING_STATES = ['MASTER', 'PRE_MASTER', 'PASSIVE', 'GRAND_MASTER'];
const FAILED_STATES = ['FAULTY', 'DISABLED'];

/**
 * The source's status from the port states. `disciplined` is the configured answer (true,
 * false or 'auto'); `phc2sys` the pids of running phc2sys processes (auto uses them).
 */
export function ptpVerdict(s: PtpSnapshot, disciplined: boolean | 'auto', phc2sys: readonly number[]): PtpVerdict {
  const v = portVerdict(s, disciplined, phc2sys);
  if (v.status !== 'ok') return v;
  // The asymmetry term of the bound is D: without a measured D there is no bound.
  const d = s.current.meanPathDelayNs;
  if (d === 0) return { ...v, status: 'warming', reason: `${v.reason}; no path delay measured yet`, frame: null };
  if (d < 0)
    return { ...v, status: 'error', reason: `${v.reason}; negative mean path delay ${d} ns: inconsistent timestamps`, frame: null };
  return v;
}

function portVerdict(s: PtpSnapshot, disciplined: boolean | 'auto', phc2sys: readonly number[]): PtpVerdict {
  const following = s.ports.find((p) => p.portState === 'SLAVE') ?? s.ports.find((p) => p.portState === 'UNCALIBRATED');
  if (!following) {
    const states = s.ports.map((p) => `${p.portIdentity} ${p.portState}`).join(', ');
    const warming = s.ports.find((p) => WARMING_STATES.includes(p.portState));
    if (warming) return { status: 'warming', reason: `ptp4l port ${states}: no master selected yet`, frame: null, port: warming };
    const leading = s.ports.find((p) => LEADING_STATES.includes(p.portState));
    if (leading) return { status: 'unsynced', reason: `ptp4l port ${states}: this host follows no master`, frame: null, port: leading };
    const failed = s.ports.find((p) => FAILED_STATES.includes(p.portState)) ?? s.ports[0]!;
    return { status: 'error', reason: `ptp4l port ${states}`, frame: null, port: failed };
  }
  const port = following;
  const where = `port ${port.portIdentity} ${port.portState}, grandmaster ${s.time.gmIdentity}`;
  if (!s.time.gmPresent) return { status: 'unsynced', reason: `${where}: ptp4l reports no grandmaster`, frame: null, port };
  const measured = s.time.ingressTimeNs !== 0n;
  const sw = port.timestamping === 'SOFTWARE';
  const phc = phc2sys.length ? `phc2sys (pid ${phc2sys.join(', ')}) disciplines the system clock` : null;
  if (disciplined === false) {
    // A free-running ptp4l never locks its servo (clock_no_adjust returns SERVO_UNLOCKED), so it
    // stays UNCALIBRATED; SLAVE means it steers its clock after all.
    if (port.portState === 'SLAVE')
      return {
        status: 'error',
        reason: `${where}: a free-running ptp4l never reaches SLAVE, so this one steers its clock; set sources.ptp.disciplined to true or "auto"`,
        frame: null,
        port,
      };
    if (!sw)
      return {
        status: 'error',
        reason: `${where}: timestamping ${port.timestamping ?? 'unknown'}: a free-running reading needs software timestamping (ptp4l -S), where ptp4l's clock is the system clock`,
        frame: null,
        port,
      };
    if (!measured) return { status: 'warming', reason: `${where}: no offset measured yet`, frame: null, port };
    return {
      status: 'ok',
      reason: `${where}: free-running (free_running 1), offset measured, software timestamping`,
      frame: 'free-running',
      port,
    };
  }
  if (port.portState === 'UNCALIBRATED') {
    const hint = disciplined === 'auto' ? '; if ptp4l runs with free_running 1, set sources.ptp.disciplined to false' : '';
    return { status: 'warming', reason: `${where}: servo not locked yet${hint}`, frame: null, port };
  }
  if (!measured) return { status: 'warming', reason: `${where}: no offset measured yet`, frame: null, port };
  if (disciplined === true)
    return { status: 'ok', reason: `${where}: disciplined (configured)${phc ? `; ${phc}` : ''}`, frame: 'disciplined', port };
  if (phc) return { status: 'ok', reason: `${where}: ${phc}`, frame: 'disciplined', port };
  if (sw)
    return { status: 'ok', reason: `${where}: ptp4l disciplines the system clock (software timestamping)`, frame: 'disciplined', port };
  return {
    status: 'unsynced',
    reason: `${where}: ptp4l steers the PHC (timestamping ${port.timestamping ?? 'unknown'}) and no phc2sys runs: the system clock is not disciplined`,
    frame: null,
    port,
  };
}
