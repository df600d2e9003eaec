// Network namespaces for multicast tests, built and removed by the test (nothing is changed in
// the machine's own namespace; names carry a random tag so parallel runs never collide).
//   loopbackNs(): one namespace whose lo carries multicast (flag on, 224.0.0.0/4 routed to lo).
//   bridgeLab(n): n host namespaces on a bridge (in a namespace of its own), each with eth0 =
//     10.232.X.(11+i)/24 and fd32:X::(11+i)/64, 224.0.0.0/4 routed to eth0 (IPv6 routes ff00::/8
//     on every interface itself).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Why namespaces cannot be built here, or null. */
export function netnsUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (CAP_NET_ADMIN)';
  if (spawnSync('sh', ['-c', 'command -v ip']).status !== 0) return 'ip is not installed (Debian: apt-get install iproute2)';
  return null;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`\`ip ${args.join(' ')}\` exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
}

export interface McastHost {
  ns: string;
  address: string;
  address6: string;
}

export interface McastLab {
  hosts: McastHost[];
  /** argv prefix running a command inside host i's namespace. */
  inNs(i: number, argv: string[]): string[];
  /** UDP datagrams the namespace's kernel sent, IPv4 and IPv6 (UdpOutDatagrams + Udp6OutDatagrams). */
  udpOutDatagrams(i: number): number;
  teardown(): void;
}

function lab(hosts: McastHost[], created: string[]): McastLab {
  return {
    hosts,
    inNs: (i, argv) => ['ip', 'netns', 'exec', hosts[i]!.ns, ...argv],
    udpOutDatagrams: (i) => {
      const read = (file: string): string => spawnSync('ip', ['netns', 'exec', hosts[i]!.ns, 'cat', file], { encoding: 'utf8' }).stdout;
      const [names, values] = read('/proc/net/snmp')
        .split('\n')
        .filter((l) => l.startsWith('Udp:'))
        .map((l) => l.split(/\s+/));
      const v4 = Number(values![names!.indexOf('OutDatagrams')]);
      const v6 = Number(/^Udp6OutDatagrams\s+(\d+)/m.exec(read('/proc/net/snmp6'))?.[1]);
      if (!Number.isFinite(v4) || !Number.isFinite(v6)) throw new Error(`no UDP counters in ${hosts[i]!.ns}`);
      return v4 + v6;
    },
    teardown: () => {
      for (const ns of created.reverse()) spawnSync('ip', ['netns', 'del', ns]);
    },
  };
}

export function loopbackNs(): McastLab {
  const ns = 'cemc' + randomBytes(3).toString('hex');
  ip(['netns', 'add', ns]);
  const l = lab([{ ns, address: '127.0.0.1', address6: '::1' }], [ns]);
  try {
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'multicast', 'on']);
    ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
  } catch (e) {
    l.teardown();
    throw e;
  }
  return l;
}

export function bridgeLab(n: number): McastLab {
  const tag = 'cemb' + randomBytes(3).toString('hex');
  const x = 1 + (randomBytes(1)[0]! % 254);
  const created: string[] = [];
  const hosts: McastHost[] = [];
  const l = lab(hosts, created);
  try {
    const br = `${tag}b`;
    ip(['netns', 'add', br]);
    created.push(br);
    ip(['-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', br, 'link', 'set', 'br0', 'up']);
    for (let i = 0; i < n; i++) {
      const ns = `${tag}h${i}`;
      ip(['netns', 'add', ns]);
      created.push(ns);
      const h = { ns, address: `10.232.${x}.${11 + i}`, address6: `fd32:${x.toString(16)}::${(11 + i).toString(16)}` };
      ip(['link', 'add', `vh${i}`, 'netns', br, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      ip(['-n', br, 'link', 'set', `vh${i}`, 'master', 'br0', 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      ip(['-n', ns, '-6', 'addr', 'add', `${h.address6}/64`, 'dev', 'eth0', 'nodad']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
      hosts.push(h);
    }
  } catch (e) {
    l.teardown();
    throw e;
  }
  return l;
}
