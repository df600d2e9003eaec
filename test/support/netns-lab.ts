// A throw-away cluster on one machine: network namespaces joined by veth links to a bridge,
// each "host" running a real OpenSSH sshd on its own private address.
//
//   ns <tag>c (control: runs the deploy, owns bridge br0 = 10.231.X.1/24)
//     ├─ veth vh1 ── ns <tag>h1: eth0 10.231.X.11, sshd :22
//     ├─ veth vh2 ── ns <tag>h2: eth0 10.231.X.12, sshd :22
//     └─ ...
// Nothing is added to the machine's own network namespace; deleting the namespaces removes every
// link. Names carry a random tag so parallel runs never collide.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LabHost {
  name: string;
  ns: string;
  address: string;
  workDir: string;
  sshd: ChildProcess;
}

export interface Lab {
  tag: string;
  subnet: string;
  ctlNs: string;
  ctlAddress: string;
  hosts: LabHost[];
  dir: string;
  sshConfig: string;
  clientKey: string;
  /** argv prefix that runs a command inside the control namespace. */
  inCtl(argv: string[]): string[];
  teardown(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';

/** Runs a setup command without blocking the test process (several labs may be built at once). */
async function sh(argv: string[], what: string): Promise<void> {
  const r = await run(argv, 20_000);
  if (r.status !== 0) throw new Error(`${what} failed: \`${argv.join(' ')}\` exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
}

/** Why a lab cannot be built here, or null. Checked before touching anything. */
export function labUnavailableReason(): string | null {
  if (process.getuid?.() !== 0)
    return 'network namespaces need root (CAP_NET_ADMIN + CAP_SYS_ADMIN); run the deploy e2e tests as root or in a privileged container';
  for (const bin of ['ip', SSHD, 'ssh', 'ssh-keygen']) {
    const found = bin.startsWith('/') ? existsSync(bin) : spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
    if (!found) return `${bin} is not installed (Debian: apt-get install iproute2 openssh-server openssh-client)`;
  }
  return null;
}

export async function createLab(hostCount: number, opts: { sshPort?: number } = {}): Promise<Lab> {
  const why = labUnavailableReason();
  if (why) throw new Error(`cannot build the namespace lab: ${why}`);
  const tag = 'ce' + randomBytes(3).toString('hex');
  const x = 1 + (randomBytes(1)[0] % 254);
  const subnet = `10.231.${x}.0/24`;
  const dir = mkdtempSync(path.join(os.tmpdir(), `${tag}-lab-`));
  const ctlNs = `${tag}c`;
  const created: string[] = [];
  const hosts: LabHost[] = [];
  const sshPort = opts.sshPort ?? 22;

  const teardown = async (): Promise<void> => {
    for (const h of hosts) if (h.sshd.exitCode === null && h.sshd.signalCode === null) h.sshd.kill('SIGTERM');
    await Promise.all(hosts.map((h) => waitExit(h.sshd, 3000)));
    // Processes left inside OUR namespaces (detached workers, ssh masters, login shells): only
    // those. SIGTERM first so shells run their EXIT traps (e.g. a login shell's `pyenv rehash`
    // would otherwise leave its lock file behind), SIGKILL only what is still there after 3 s.
    const nsPids = async () =>
      (await Promise.all(created.map((ns) => run(['ip', 'netns', 'pids', ns], 10_000)))).flatMap((r) =>
        r.stdout
          .split('\n')
          .map(Number)
          .filter((p) => p > 0),
      );
    const signalAll = async (sig: NodeJS.Signals) => {
      for (const pid of await nsPids()) {
        try {
          process.kill(pid, sig);
        } catch {
          /* gone */
        }
      }
    };
    await signalAll('SIGTERM');
    for (let i = 0; i < 30 && (await nsPids()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    await signalAll('SIGKILL');
    for (const ns of created.reverse()) await run(['ip', 'netns', 'del', ns], 10_000);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const nsAdd = async (ns: string) => {
      await sh(['ip', 'netns', 'add', ns], `creating network namespace ${ns}`);
      created.push(ns);
    };
    await nsAdd(ctlNs);
    await sh(['ip', '-n', ctlNs, 'link', 'set', 'lo', 'up'], 'loopback up');
    await sh(['ip', '-n', ctlNs, 'link', 'add', 'br0', 'type', 'bridge'], 'creating the bridge');
    await sh(['ip', '-n', ctlNs, 'addr', 'add', `10.231.${x}.1/24`, 'dev', 'br0'], 'bridge address');
    await sh(['ip', '-n', ctlNs, 'link', 'set', 'br0', 'up'], 'bridge up');

    // keys: one host key for every sshd, one client key authorised for root
    const hostKey = path.join(dir, 'host_ed25519');
    const clientKey = path.join(dir, 'client_ed25519');
    await sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${tag}-host`, '-f', hostKey], 'host key');
    await sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${tag}-client`, '-f', clientKey], 'client key');
    const authorized = path.join(dir, 'authorized_keys');
    writeFileSync(authorized, readFileSync(`${clientKey}.pub`), { mode: 0o600 });
    const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation dir

    const known: string[] = [];
    for (let i = 1; i <= hostCount; i++) {
      const ns = `${tag}h${i}`;
      const address = `10.231.${x}.${10 + i}`;
      await nsAdd(ns);
      await sh(['ip', 'link', 'add', `vh${i}`, 'netns', ctlNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], `veth for ${ns}`);
      await sh(['ip', '-n', ctlNs, 'link', 'set', `vh${i}`, 'master', 'br0', 'up'], 'attach veth to bridge');
      await sh(['ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0'], 'host address');
      await sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'], 'host link up');
      await sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'], 'host loopback up');
      const cfg = path.join(dir, `sshd_h${i}.conf`);
      writeFileSync(
        cfg,
        [
          `Port ${sshPort}`,
          `ListenAddress ${address}`,
          `HostKey ${hostKey}`,
          `PidFile ${path.join(dir, `sshd_h${i}.pid`)}`,
          `AuthorizedKeysFile ${authorized}`,
          'PermitRootLogin prohibit-password',
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'MaxSessions 64',
          'MaxStartups 64',
          'LogLevel ERROR',
          'PrintMotd no',
          'UseDNS no',
          '',
        ].join('\n'),
      );
      await sh([SSHD, '-t', '-f', cfg], `checking sshd config for ${ns}`);
      // `ip netns exec` execs sshd in place: the child pid IS the sshd pid.
      const sshd = spawn('ip', ['netns', 'exec', ns, SSHD, '-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      sshd.stderr!.on('data', (d) => (err += d));
      sshd.on('exit', (c) => {
        if (c !== 0 && c !== null) process.stderr.write(`[lab] sshd in ${ns} exited ${c}: ${err}\n`);
      });
      hosts.push({ name: `h${i}`, ns, address, workDir: path.join(dir, `remote-h${i}`, 'work'), sshd });
      known.push(`${sshPort === 22 ? address : `[${address}]:${sshPort}`} ${hostPub}`);
    }
    const knownHosts = path.join(dir, 'known_hosts');
    writeFileSync(knownHosts, known.join('\n') + '\n');
    const sshConfig = path.join(dir, 'ssh_config');
    writeFileSync(
      sshConfig,
      [
        'Host *',
        '  User root',
        `  IdentityFile ${clientKey}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '  GlobalKnownHostsFile /dev/null',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );

    const lab: Lab = {
      tag,
      subnet,
      ctlNs,
      ctlAddress: `10.231.${x}.1`,
      hosts,
      dir,
      sshConfig,
      clientKey,
      inCtl: (argv) => ['ip', 'netns', 'exec', ctlNs, ...argv],
      teardown,
    };
    // every sshd answers a real login before the lab is handed out
    const deadline = Date.now() + 45_000; // generous: a loaded machine makes the first handshake slow
    for (const h of hosts) {
      for (;;) {
        // async: a test process running several labs at once must not block on a slow login
        const r = await run(
          [
            'ip',
            'netns',
            'exec',
            ctlNs,
            'ssh',
            '-F',
            sshConfig,
            '-p',
            String(sshPort),
            '-o',
            'BatchMode=yes',
            '-o',
            'ConnectTimeout=5',
            h.address,
            'true',
          ],
          20_000,
        );
        if (r.status === 0) break;
        if (Date.now() > deadline)
          throw new Error(
            `sshd in ${h.ns} does not accept a login: ssh ${r.signal ? `killed by ${r.signal} (timeout)` : `exit ${r.status}`}: ${r.stderr.trim()}`,
          );
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    return lab;
  } catch (e) {
    await teardown();
    throw e;
  }
}

function run(
  argv: string[],
  timeoutMs: number,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout!.on('data', (d) => (stdout += d));
    c.stderr!.on('data', (d) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGTERM'), timeoutMs);
    c.on('error', (e) => {
      clearTimeout(t);
      resolve({ status: 127, signal: null, stdout, stderr: stderr + e.message });
    });
    c.on('close', (status, signal) => {
      clearTimeout(t);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
