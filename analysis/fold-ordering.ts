// Folds the arrival order of one source at one pair of workers over a block of events
// (docs/metrics.md §Ordering): point order, interval order, each judged against the true order.
import type { OrderingCounts } from './counters.js';
import type { EventBlock } from './event-block.js';
import { intervalOrder, judgeIntervalOrder, judgePointOrder, pointOrder, type Order } from './metrics/ordering.js';

export function foldOrdering(blk: EventBlock, s: number, a: number, b: number, bounded: boolean, t: OrderingCounts): void {
  const hasA = blk.has[a]!, hasB = blk.has[b]!;
  const A = blk.stamps[a]![s]!, B = blk.stamps[b]![s]!;
  const tA = blk.trueRecv[a]!, tB = blk.trueRecv[b]!;
  for (let j = 0; j < blk.n; j++) {
    if (hasA[j] === 0 || hasB[j] === 0) continue;
    const truth = pointOrder(tA[j]!, tB[j]!);
    const po = pointOrder(A.p[j]!, B.p[j]!);
    const io = bounded ? intervalOrder(A.lo[j]!, A.hi[j]!, B.lo[j]!, B.hi[j]!) : null;
    foldOrder(t, po, io, truth);
  }
}

function foldOrder(t: OrderingCounts, po: Order | null, io: Order | null, truth: Order | null): void {
  if (po !== null) {
    t.compared++;
    if (po === -1) t.aFirst++; else if (po === 1) t.bFirst++; else t.ties++;
    if (truth !== null) {
      t.pvt++;
      const v = judgePointOrder(po, truth);
      if (v === 'correct') t.pvtCorrect++; else if (v === 'wrong') t.pvtWrong++; else t.pvtTie++;
    }
  }
  if (io === null) return;
  t.iv++;
  if (io !== 0) { t.ivProven++; if (io === -1) t.ivA++; else t.ivB++; }
  if (truth !== null) {
    t.ivt++;
    const v = judgeIntervalOrder(io, truth);
    if (v === 'correct') t.ivtCorrect++; else if (v === 'wrong') t.ivtWrong++; else t.ivtAmb++;
  }
}
