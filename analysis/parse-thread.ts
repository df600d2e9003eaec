// Parse thread: reads one event CSV (coordinator or worker) and decodes its rows into typed arrays (event-rows.ts),
// handing each batch to the main thread (buffers transferred, not copied). At most `credits`
// batches are decoded ahead of what the main thread has taken (shared counters), so memory stays
// bounded; when full, the thread sleeps in Atomics.wait (it has nothing else to do) until the main
// thread has taken all but `lowWater` of them.
//
// Protocol — to main: {type:'header', header} | {type:'open-error', message} | {type:'rows', rows}
//   | {type:'end', stats} | {type:'error', message}; from main: {type:'start', sources, anchorSec}.
import { parentPort, workerData } from 'node:worker_threads';
import type { RowRole } from './decoded-rows.js';
import { EventRowReader } from './event-rows.js';

export interface ParseThreadData {
  file: string;
  displayPath: string;
  role: RowRole;
  /** Shared [taken by main, produced, thread sleeping]. */
  flow: Int32Array;
  credits: number;
  lowWater: number;
}
const TAKEN = 0, PRODUCED = 1, SLEEPING = 2;

const port = parentPort!;
const data = workerData as ParseThreadData;

let started: ((m: { sources: string[]; anchorSec: number }) => void) | null = null;
port.on('message', (m: { type: string; sources: string[]; anchorSec: number }) => {
  if (m.type === 'start') started?.(m);
});

async function main(): Promise<void> {
  let reader: EventRowReader;
  try {
    reader = await EventRowReader.open(data.file, data.displayPath, data.role, true);
  } catch (err) {
    port.postMessage({ type: 'open-error', message: (err as Error).message });
    port.close();
    return;
  }
  const start = new Promise<{ sources: string[]; anchorSec: number }>((r) => { started = r; });
  port.postMessage({ type: 'header', header: reader.header });
  const go = await start;
  reader.start(go.sources, go.anchorSec);
  let produced = 0;
  for (;;) {
    const f = data.flow;
    if (produced - Atomics.load(f, TAKEN) >= data.credits) {
      for (;;) {
        Atomics.store(f, SLEEPING, 1);
        const taken = Atomics.load(f, TAKEN);
        if (produced - taken <= data.lowWater) break;
        Atomics.wait(f, TAKEN, taken, 100); // the timeout only guards against a missed wake-up
      }
      Atomics.store(f, SLEEPING, 0);
    }
    const rows = await reader.next();
    if (!rows) break;
    produced++;
    Atomics.store(data.flow, PRODUCED, produced);
    const buffers = [rows.seq, rows.local, rows.truth, rows.vals, rows.status].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ type: 'rows', rows }, buffers);
  }
  port.postMessage({ type: 'end', stats: reader.stats });
  port.close();
}

main().catch((err: unknown) => {
  port.postMessage({ type: 'error', message: (err as Error).message ?? String(err) });
  port.close();
});
