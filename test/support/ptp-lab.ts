// Real linuxptp on one machine: a ptp4l master and a ptp4l slave, software timestamping (-S), in
// two network namespaces joined by a veth pair.
//
//   ns <tag>m: ptpm 10.232.X.1 ── veth ── ns <tag>s: ptps 10.232.X.2
//
// Both ptp4l run on the host's CLOCK_REALTIME (namespaces share it), both with free_running 1
// (the slave also slaveOnly 1) and kernel_leap 0: neither ever adjusts the host clock, so the true
// offset between them is 0. Names carry a random tag; teardown kills only our processes and
// deletes only our namespaces.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PtpDaemon {
  child: ChildProcess;
  uds: string;
  log: () => string;
}

export interface PtpLab {
  tag: string;
  dir: string;
  namespaces: string[];
  masterUds: string;
  slaveUds: string;
  startMaster(): PtpDaemon;
  startSlave(): PtpDaemon;
  /** Stop one daemon (SIGTERM, then SIGKILL after 2 s). */
  stop(d: PtpDaemon, signal?: NodeJS.Signals): Promise<void>;
  teardown(): Promise<void>;
}

/** Why the lab cannot be built here, or null. */
export function ptpLabUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (CAP_NET_ADMIN + CAP_SYS_ADMIN)';
  for (const bin of ['ip', 'ptp4l', 'pmc']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
      return `${bin} is not installed (Debian: apt-get install iproute2 linuxptp; scripts/install-test-deps.sh)`;
  }
  return null;
}

/** Short intervals so the slave follows the master within about a second. */
function config(uds: string, iface: string, slave: boolean): string {
  return [
    '[global]',
    `uds_address ${uds}`,
    'logSyncInterval -3',
    'logMinDelayReqInterval -3',
    'logAnnounceInterval -2',
    'announceReceiptTimeout 2',
    // Never steer or leap the host clock, whatever this daemon's role turns out to be.
    'free_running 1',
    'kernel_leap 0',
    slave ? 'slaveOnly 1' : 'priority1 10',
    `[${iface}]`,
    '',
  ].join('\n');
}

function sh(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`\`${argv.join(' ')}\` exited ${r.status ?? r.signal}: ${r.stderr}`);
}

export function createPtpLab(): PtpLab {
  const why = ptpLabUnavailableReason();
  if (why) throw new Error(`cannot build the PTP lab: ${why}`);
  const tag = 'cp' + randomBytes(3).toString('hex');
  const x = 1 + (randomBytes(1)[0]! % 254);
  const dir = mkdtempSync(path.join(os.tmpdir(), `${tag}-ptp-`));
  const nsM = `${tag}m`;
  const nsS = `${tag}s`;
  const namespaces: string[] = [];
  const daemons: PtpDaemon[] = [];
  const masterUds = path.join(dir, 'master.sock');
  const slaveUds = path.join(dir, 'slave.sock');
  writeFileSync(path.join(dir, 'master.cfg'), config(masterUds, 'ptpm', false));
  writeFileSync(path.join(dir, 'slave.cfg'), config(slaveUds, 'ptps', true));

  const start = (ns: string, cfg: string, uds: string): PtpDaemon => {
    // `ip netns exec` execs ptp4l in place: the child pid is ptp4l's.
    const child = spawn('ip', ['netns', 'exec', ns, 'ptp4l', '-S', '-m', '-f', path.join(dir, cfg)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const d = { child, uds, log: () => log };
    daemons.push(d);
    return d;
  };

  const stop = async (d: PtpDaemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (d.child.exitCode !== null || d.child.signalCode !== null) return;
    const gone = new Promise((r) => d.child.once('exit', r));
    d.child.kill(signal);
    await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
    if (d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGKILL');
      await gone;
    }
  };

  const teardown = async (): Promise<void> => {
    await Promise.all(daemons.map((d) => stop(d)));
    // Anything else left in our namespaces (none expected): only those pids.
    for (const ns of namespaces) {
      const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
      for (const pid of (r.stdout ?? '')
        .split('\n')
        .map(Number)
        .filter((p) => p > 0)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    for (const ns of namespaces.reverse()) spawnSync('ip', ['netns', 'del', ns]);
    namespaces.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const ns of [nsM, nsS]) {
      sh(['ip', 'netns', 'add', ns]);
      namespaces.push(ns);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // Created straight into the namespaces: nothing touches the machine's own.
    sh(['ip', 'link', 'add', 'ptpm', 'netns', nsM, 'type', 'veth', 'peer', 'name', 'ptps', 'netns', nsS]);
    sh(['ip', '-n', nsM, 'addr', 'add', `10.232.${x}.1/24`, 'dev', 'ptpm']);
    sh(['ip', '-n', nsS, 'addr', 'add', `10.232.${x}.2/24`, 'dev', 'ptps']);
    sh(['ip', '-n', nsM, 'link', 'set', 'ptpm', 'up']);
    sh(['ip', '-n', nsS, 'link', 'set', 'ptps', 'up']);
  } catch (e) {
    void teardown();
    throw e;
  }
  return {
    tag,
    dir,
    namespaces,
    masterUds,
    slaveUds,
    startMaster: () => start(nsM, 'master.cfg', masterUds),
    startSlave: () => start(nsS, 'slave.cfg', slaveUds),
    stop,
    teardown,
  };
}

/** The kernel's clock discipline state (adjtimex(2) with modes 0: read only), via python3's ctypes. */
export function readAdjtimex(): { freq: number; tick: number; status: number; offset: number } {
  const py = [
    'import ctypes, struct, json',
    'b = ctypes.create_string_buffer(512)',
    'ctypes.CDLL(None).adjtimex(b)',
    'r = b.raw',
    // struct timex on LP64: offset @8, freq @16, status @40, tick @88.
    'print(json.dumps({"offset": struct.unpack_from("q", r, 8)[0], "freq": struct.unpack_from("q", r, 16)[0], "status": struct.unpack_from("i", r, 40)[0], "tick": struct.unpack_from("q", r, 88)[0]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reading adjtimex with python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { freq: number; tick: number; status: number; offset: number };
}
