// Fold thread: folds the blocks of joined events that the analysing thread sends
// (threaded-folder.ts) into every metric (analysis/fold/block-folder.ts), so that joining and counting run
// on two cores. Each block's buffer is sent back once folded, to be filled again.
//
// Protocol — from main: {type:'block', buffer, n, reest, delays} (buffer transferred) |
//   {type:'finish', sources, delays}; to main: {type:'free', buffer} | {type:'results', results} |
//   {type:'error', message}.
import { parentPort, workerData } from 'node:worker_threads';
import { BlockFolder, type FoldConfig } from '../fold/block-folder.js';
import { EventBlock, type ReestEntries } from '../fold/event-block.js';
import type { SourceDef } from '../join/joined.js';

type Msg =
  | { type: 'block'; buffer: ArrayBuffer; n: number; reest: ReestEntries; delays: number[] }
  | { type: 'finish'; sources: SourceDef[]; delays: number[] };

const port = parentPort!;
const cfg = workerData as FoldConfig;
const folder = new BlockFolder(cfg);
const S = cfg.sources.length;
const W = cfg.workers.length;

/** Register delays in the analysing thread's order, so that indices agree. */
function delays(list: number[]): void {
  for (let i = folder.delays.length; i < list.length; i++) folder.delayIndex(list[i]!);
}

port.on('message', (m: Msg) => {
  try {
    if (m.type === 'block') {
      delays(m.delays);
      const blk = new EventBlock(cfg.capacity, S, W, m.buffer);
      blk.receive(m.n, m.reest);
      folder.fold(blk);
      port.postMessage({ type: 'free', buffer: m.buffer }, [m.buffer]);
    } else {
      delays(m.delays);
      port.postMessage({ type: 'results', results: folder.results(m.sources) }); // main then ends the thread
    }
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
    port.close();
  }
});
