// Parse thread: reads event CSVs (coordinator or workers) and decodes their rows into typed arrays
// (analysis/load/event-rows.ts), handing each batch to the main thread (buffers transferred, not copied). One
// thread may serve several files (parse-pool.ts decides): it always decodes for the file whose
// decoded-but-untaken backlog is smallest, at most `credits` batches ahead per file (shared
// counters), so memory stays bounded; when every file is full it sleeps in Atomics.wait (it has
// nothing else to do) until the main thread has taken a file down to `lowWater`.
//
// Protocol — to main: {type:'header', file, header} | {type:'open-error', file, message}
//   | {type:'rows', file, rows} | {type:'end', file, stats} | {type:'error', file, message};
// from main: {type:'start', file, sources, anchorSec} once per opened file.
import { parentPort, workerData } from 'node:worker_threads';
import { EventRowReader } from '../load/event-rows.js';
import { SLEEPING, WAKE, producedSlot, takenSlot, type ParseThreadData } from './parse-flow.js';

const port = parentPort!;
const data = workerData as ParseThreadData;
const f = data.flow;

const starts = new Map<number, { sources: string[]; anchorSec: number }>();
let allStarted: (() => void) | null = null;
let expected = Infinity;
port.on('message', (m: { type: string; file: number; sources: string[]; anchorSec: number }) => {
  if (m.type !== 'start') return;
  starts.set(m.file, m);
  if (starts.size >= expected) allStarted?.();
});

async function main(): Promise<void> {
  const readers: (EventRowReader | null)[] = [];
  for (const [i, d] of data.files.entries()) {
    try {
      readers.push(await EventRowReader.open(d.file, d.displayPath, d.role, { ...d.read, sync: true }));
      port.postMessage({ type: 'header', file: i, header: readers[i]!.header });
    } catch (err) {
      readers.push(null);
      port.postMessage({ type: 'open-error', file: i, message: (err as Error).message });
    }
  }
  // Decoding needs the global source list: wait until the main thread has started every opened file.
  const active = readers.flatMap((r, i) => (r ? [i] : []));
  expected = active.length;
  if (starts.size < expected)
    await new Promise<void>((r) => {
      allStarted = r;
    });
  for (const i of active) readers[i]!.start(starts.get(i)!.sources, starts.get(i)!.anchorSec);
  while (active.length > 0) {
    const i = neediest(active);
    if (i < 0) {
      sleep(active);
      continue;
    }
    try {
      const rows = await readers[i]!.next();
      if (!rows) {
        port.postMessage({ type: 'end', file: i, stats: readers[i]!.stats });
        active.splice(active.indexOf(i), 1);
        continue;
      }
      Atomics.add(f, producedSlot(i), 1);
      const arrays = [rows.seq, rows.local, rows.truth, rows.kernel, rows.kernelTruth, rows.vals, rows.status];
      const buffers = arrays.map((a) => a.buffer as ArrayBuffer);
      port.postMessage({ type: 'rows', file: i, rows }, buffers);
    } catch (err) {
      port.postMessage({ type: 'error', file: i, message: (err as Error).message ?? String(err) });
      active.splice(active.indexOf(i), 1);
    }
  }
  port.close();
}

/** The file with the fewest batches waiting for the main thread, if one has credit left; else −1. */
function neediest(active: number[]): number {
  let best = -1;
  let least = data.credits;
  for (const i of active) {
    const backlog = Atomics.load(f, producedSlot(i)) - Atomics.load(f, takenSlot(i));
    if (backlog < least) {
      least = backlog;
      best = i;
    }
  }
  return best;
}

/** Every file is `credits` ahead: sleep until the main thread took one of them down to lowWater. */
function sleep(active: number[]): void {
  for (;;) {
    Atomics.store(f, SLEEPING, 1);
    const seen = Atomics.load(f, WAKE);
    if (active.some((i) => Atomics.load(f, producedSlot(i)) - Atomics.load(f, takenSlot(i)) <= data.lowWater)) break;
    Atomics.wait(f, WAKE, seen, 100); // the timeout only guards against a missed wake-up
  }
  Atomics.store(f, SLEEPING, 0);
}

main().catch((err: unknown) => {
  port.postMessage({ type: 'error', file: -1, message: (err as Error).message ?? String(err) });
  port.close();
});
