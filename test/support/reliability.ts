// Shared by the reliability, fuzz and crash tests: seeded randomness, a paced UDP sender,
// kernel drop counters, CSV reading. Real sockets and real child processes only.
import dgram from 'node:dgram';
import { readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { decodeMessage, encodeReadyQuery } from '../../src/protocol/messages.js';
import { Prng } from '../../src/sim/prng.js';

/** The project's seeded PRNG (src/sim/prng.ts) with the helpers these tests use. */
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(a: readonly T[]): T; bytes(n: number): Buffer } {
  const p = new Prng(seed);
  const next = (): number => p.next();
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(arr: readonly T[]): T => arr[int(arr.length)]!,
    bytes: (n: number): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

/** Seed from $NAME (to replay a failure) or a fresh one; always printed. */
export function seedFrom(envName: string, label: string): number {
  const given = process.env[envName];
  const seed = given !== undefined ? Number(given) : randomBytes(4).readUInt32BE(0);
  process.stdout.write(`# ${label}: seed ${seed} (replay with ${envName}=${seed})\n`);
  return seed;
}

export function writeKey(dir: string): { key: Buffer; keyFile: string } {
  const key = randomBytes(32);
  const keyFile = path.join(dir, 'run.key');
  writeFileSync(keyFile, key.toString('hex') + '\n', { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { key, keyFile };
}

/**
 * A client socket that can wait for the worker to have processed everything sent so far: a
 * `ready?` goes behind the datagrams on the same loopback path and the worker handles its socket
 * in order, so its status reply means every earlier datagram was read (or dropped by the kernel,
 * which `udpDrops` detects).
 */
export class PacedSender {
  private replies = 0;
  private waiter: (() => void) | null = null;
  private queuedBytes = 0;
  private queued = 0;
  sent = 0;
  barriers = 0;
  /** `ready?` datagrams sent (the worker counts them as received, not as rejected). */
  queries = 0;

  private constructor(
    readonly sock: dgram.Socket,
    readonly port: number,
    readonly run: string,
    readonly key: Buffer | null,
  ) {
    sock.on('message', (buf) => {
      const d = decodeMessage(buf, run, key);
      if (d.ok && d.msg.k === 'status') {
        this.replies++;
        this.waiter?.();
      }
    });
  }

  static async open(port: number, run: string, key: Buffer | null): Promise<PacedSender> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return new PacedSender(s, port, run, key);
  }

  /** Send one datagram; every `maxQueued` datagrams or `maxBytes` bytes, wait for the worker to catch up. */
  async send(buf: Buffer, maxQueued = 64, maxBytes = 48 * 1024): Promise<void> {
    await new Promise<void>((resolve, reject) => this.sock.send(buf, this.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    this.sent++;
    this.queued++;
    this.queuedBytes += buf.length + 300; // + kernel per-packet overhead, roughly
    if (this.queued >= maxQueued || this.queuedBytes >= maxBytes) await this.barrier();
  }

  /** Wait until the worker has read every datagram sent so far. */
  async barrier(timeoutMs = 10_000): Promise<void> {
    const want = ++this.barriers;
    this.queued = 0;
    this.queuedBytes = 0;
    const deadline = Date.now() + timeoutMs;
    while (this.replies < want) {
      // A fresh query number each time: a keyed worker answers each number once.
      this.sock.send(encodeReadyQuery(this.run, this.queries + 1, this.key), this.port, '127.0.0.1');
      this.queries++;
      // 100 ms: a query over the worker's per-address rate (ready-guard.ts) is not answered; ask again soon.
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
      if (Date.now() > deadline) throw new Error(`worker did not answer ready? within ${timeoutMs} ms (barrier ${want})`);
    }
    this.waiter = null;
    // Extra `ready?` retries above may produce extra replies; count them as later barriers' replies.
    if (this.replies > want) this.barriers = this.replies;
  }

  close(): void {
    this.sock.close();
  }
}

/** The kernel's drop counter of the UDP socket bound to `port` on IPv4 (last column of /proc/net/udp). */
export function udpDrops(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1]?.endsWith(`:${hex}`)) return Number(cols[cols.length - 1]);
  }
  throw new Error(`no UDP socket on port ${port} in /proc/net/udp`);
}

/**
 * Parse a CSV written by our writers: header + rows. A torn last line (no newline) is returned
 * apart; a row with the wrong number of cells (a torn line a restarted writer ended with '\n')
 * is returned in `malformed`, never silently mixed with the good rows.
 */
export function readCsv(file: string): { header: string[]; rows: Record<string, string>[]; torn: string | null; malformed: string[][] } {
  if (!existsSync(file)) return { header: [], rows: [], torn: null, malformed: [] };
  let text = readFileSync(file, 'utf8');
  let torn: string | null = null;
  if (text.length && !text.endsWith('\n')) {
    const nl = text.lastIndexOf('\n');
    torn = text.slice(nl + 1);
    text = text.slice(0, nl + 1);
  }
  if (!text) return { header: [], rows: [], torn, malformed: [] };
  const recs = parse(text, { relax_column_count: true }) as string[][];
  const header = recs[0] ?? [];
  const good = recs.slice(1).filter((r) => r.length === header.length);
  const malformed = recs.slice(1).filter((r) => r.length !== header.length);
  const rows = good.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  return { header, rows, torn, malformed };
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
