// The event transport: unicast (one datagram per worker, the default) or multicast (one datagram
// per event to a group every worker joins). Parsing and checks of --transport/--group/--multicast-*.
import { isIP } from 'node:net';
import { UsageError } from '../validate/index.js';

export type Transport = 'unicast' | 'multicast';
export const TRANSPORTS: readonly Transport[] = ['unicast', 'multicast'];

export interface MulticastGroup {
  address: string;
  port: number;
  family: 4 | 6;
}

/** Multicast settings shared by the coordinator (sends) and the worker (joins). */
export interface MulticastOptions {
  group: MulticastGroup;
  /** IP TTL / IPv6 hop limit of the datagrams sent to the group. */
  ttl: number;
  /** Local address or interface name to send and join on; "" lets the kernel choose by route. */
  iface: string;
}

/** Whether a numeric address is a multicast one (224.0.0.0/4, ff00::/8). */
export function isMulticastAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 4) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return v === 6 && /^ff[0-9a-f]{2}:/i.test(address);
}

/** "239.1.2.3:47200" or "[ff15::1234]:47200"; null with the reason when it is not one. */
export function parseGroup(s: string): MulticastGroup | { error: string } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:[\]\s]+):(\d+)$/.exec(s);
  if (!m) {
    const bare = isIP(s) !== 0 || isIP(s.replace(/^\[|\]$/g, '')) !== 0;
    return {
      error: bare
        ? 'has no port: write ADDR:PORT, e.g. 239.1.2.3:47200 or [ff15::1234]:47200'
        : 'is not ADDR:PORT (IPv6 in brackets), e.g. 239.1.2.3:47200 or [ff15::1234]:47200',
    };
  }
  const address = m[1]!;
  const port = Number(m[2]);
  const family = isIP(address);
  if (family === 0) return { error: `"${address}" is not a numeric IPv4 or IPv6 address` };
  if (!isMulticastAddress(address))
    return { error: `${address} is not a multicast address (IPv4 224.0.0.0-239.255.255.255, IPv6 ff00::/8)` };
  if (!(port > 0 && port < 65536)) return { error: `port ${m[2]} is not 1-65535` };
  return { address, port, family: family as 4 | 6 };
}

export interface RawTransportOptions {
  transport?: unknown;
  group?: unknown;
  'multicast-ttl'?: unknown;
  'multicast-interface'?: unknown;
}

/** Problems with the transport options, as [flag, value, what is wrong] (empty when all is well). */
export function transportProblems(a: RawTransportOptions): [string, unknown, string][] {
  const out: [string, unknown, string][] = [];
  const t = a.transport ?? 'unicast';
  if (!TRANSPORTS.includes(t as Transport)) {
    out.push(['transport', t, 'must be unicast or multicast']);
    return out;
  }
  if (t === 'unicast') {
    for (const f of ['group', 'multicast-ttl', 'multicast-interface'] as const)
      if (a[f] !== undefined) out.push([f, a[f], 'is only used with --transport multicast: add it, or drop this option']);
    return out;
  }
  if (a.group === undefined) out.push(['group', undefined, 'is required with --transport multicast, e.g. --group 239.1.2.3:47200']);
  else {
    const g = typeof a.group === 'string' ? parseGroup(a.group) : { error: 'must be ADDR:PORT text' };
    if ('error' in g) out.push(['group', a.group, g.error]);
  }
  const ttl = a['multicast-ttl'];
  if (ttl !== undefined && !(typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 0 && ttl <= 255))
    out.push(['multicast-ttl', ttl, 'must be a whole number 0-255 (1: the local link only)']);
  const iface = a['multicast-interface'];
  if (iface !== undefined && (typeof iface !== 'string' || iface.trim() === ''))
    out.push(['multicast-interface', iface, 'must be a local address (e.g. 10.0.0.2) or an interface name (e.g. eth0)']);
  return out;
}

/**
 * A scenario's `transport`: "unicast" (default), or { "kind": "multicast", "group": "ADDR:PORT",
 * "ttl"?: N, "interface"?: "ADDR or name" }.
 */
export type TransportSpec = 'unicast' | { kind: 'multicast'; group: string; ttl?: number; interface?: string };

/** The command-line flags of a scenario's transport (the same for the coordinator and every worker). */
export function transportArgs(t: TransportSpec): string[] {
  if (t === 'unicast') return [];
  const out = ['--transport', 'multicast', '--group', t.group];
  if (t.ttl !== undefined) out.push('--multicast-ttl', String(t.ttl));
  if (t.interface !== undefined) out.push('--multicast-interface', t.interface);
  return out;
}

/** A scenario's `transport` checked: the spec, or the first problem as [field, what is wrong]. */
export function checkTransportSpec(v: unknown): TransportSpec | { field: string; problem: string } {
  if (v === 'unicast') return v;
  const example = 'use "unicast" or { "kind": "multicast", "group": "239.1.2.3:47200", "ttl": 1, "interface": "lo" }';
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { field: 'transport', problem: `got ${JSON.stringify(v)}; ${example}` };
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !['kind', 'group', 'ttl', 'interface'].includes(k));
  if (extra) return { field: `transport.${extra}`, problem: `unknown field; ${example}` };
  if (o.kind !== 'multicast') return { field: 'transport.kind', problem: `got ${JSON.stringify(o.kind)}; ${example}` };
  const p = transportProblems({ transport: 'multicast', group: o.group, 'multicast-ttl': o.ttl, 'multicast-interface': o.interface })[0];
  if (p) {
    const field = p[0] === 'multicast-ttl' ? 'ttl' : p[0] === 'multicast-interface' ? 'interface' : p[0];
    return {
      field: `transport.${field}`,
      problem: `${p[1] === undefined ? '' : `${JSON.stringify(p[1])} `}${p[2].replace(/--(\w+)/, '$1')}`,
    };
  }
  return v as TransportSpec;
}

/** The checked options as settings; null for unicast. Throws a UsageError on the first problem. */
export function multicastFromArgs(a: RawTransportOptions): MulticastOptions | null {
  const p = transportProblems(a)[0];
  if (p)
    throw new UsageError(
      `--${p[0]}${p[1] === undefined ? '' : ` "${typeof p[1] === 'string' || typeof p[1] === 'number' ? p[1] : JSON.stringify(p[1])}"`} ${p[2]}`,
    );
  if ((a.transport ?? 'unicast') === 'unicast') return null;
  const group = parseGroup(a.group as string) as MulticastGroup;
  const ttl = a['multicast-ttl'];
  return {
    group,
    ttl: typeof ttl === 'number' ? ttl : 1,
    iface: typeof a['multicast-interface'] === 'string' ? a['multicast-interface'] : '',
  };
}
