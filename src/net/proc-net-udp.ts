// The kernel's drop counter of a UDP socket read from /proc/net/udp(6), for sockets whose fd has
// no SO_MEMINFO route (Node's dgram). Read at the edges (summary time), never per datagram.
import { readdir, readFile, readlink } from 'node:fs/promises';

/** A socket's drops: a count from a named counter, or null with why it is unavailable. */
export interface KernelDrops {
  drops: number | null;
  from: string;
}

/**
 * The `drops` column of the one line of /proc/net/udp(6) text bound to this local port and (when
 * known) owned by one of these socket inodes. null when no line or several match.
 */
export function dropsFromProcNetUdp(text: string, match: { inodes?: ReadonlySet<string>; port: number }): number | null {
  const hexPort = match.port.toString(16).toUpperCase().padStart(4, '0');
  const hits: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (f.length < 13) continue;
    const ok = f[1]!.endsWith(`:${hexPort}`) && (!match.inodes || match.inodes.has(f[9]!));
    const d = Number(f[12]);
    if (ok && Number.isSafeInteger(d) && d >= 0) hits.push(d);
  }
  return hits.length === 1 ? hits[0]! : null;
}

/**
 * Inodes of this process's sockets (/proc/self/fd/N → "socket:[inode]"), so that a port another
 * process also binds (SO_REUSEPORT) does not pick its line; undefined when /proc/self/fd is unreadable.
 */
export async function ownSocketInodes(): Promise<Set<string> | undefined> {
  const fds = await readdir('/proc/self/fd').catch(() => null);
  if (!fds) return undefined;
  const out = new Set<string>();
  for (const fd of fds) {
    const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/self/fd/${fd}`).catch(() => ''));
    if (m) out.add(m[1]!);
  }
  return out;
}

/** Drops of this process's socket bound to `port`, from /proc/net/udp or udp6. */
export async function readProcNetUdpDrops(family: 'IPv4' | 'IPv6', port: number): Promise<KernelDrops> {
  const file = family === 'IPv6' ? '/proc/net/udp6' : '/proc/net/udp';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { drops: null, from: `unavailable: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const inodes = await ownSocketInodes();
  const drops = dropsFromProcNetUdp(text, { inodes, port });
  if (drops !== null) return { drops, from: file };
  return { drops: null, from: `unavailable: no single line of ${file} for this process's socket on local port ${port}` };
}
