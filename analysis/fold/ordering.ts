// Folds the arrival order of one source at one pair of workers over a block of events
// (docs/metrics.md §Ordering): point order, interval order, each judged against the true order.
// The counts are kept in locals for the block and added to the counters at its end.
import type { OrderingCounts } from './counters.js';
import type { EventBlock } from './event-block.js';
import { covers } from '../metrics/bounds.js';
import { intervalOrder, judgeIntervalOrder, judgePointOrder, pointOrder } from '../metrics/ordering.js';

export function foldOrdering(blk: EventBlock, s: number, a: number, b: number, bounded: boolean, t: OrderingCounts): void {
  const hasA = blk.has[a]!,
    hasB = blk.has[b]!;
  const A = blk.stamps[a]![s]!,
    B = blk.stamps[b]![s]!;
  const tA = blk.trueRecv[a]!,
    tB = blk.trueRecv[b]!;
  const dA = blk.degraded[a]![s]!,
    dB = blk.degraded[b]![s]!;
  let compared = 0,
    aFirst = 0,
    bFirst = 0,
    ties = 0;
  let pvt = 0,
    pvtCorrect = 0,
    pvtWrong = 0,
    pvtTie = 0;
  let iv = 0,
    ivProven = 0,
    ivA = 0,
    ivB = 0;
  let ivt = 0,
    ivtCorrect = 0,
    ivtWrong = 0,
    ivtAmb = 0;
  let ivtDeg = 0,
    ivtWrongDeg = 0,
    missA = 0,
    missB = 0;
  for (let j = 0; j < blk.n; j++) {
    if (hasA[j] === 0 || hasB[j] === 0) continue;
    const truth = pointOrder(tA[j]!, tB[j]!);
    const po = pointOrder(A.p[j]!, B.p[j]!);
    if (po !== null) {
      compared++;
      if (po === -1) aFirst++;
      else if (po === 1) bFirst++;
      else ties++;
      if (truth !== null) {
        pvt++;
        const v = judgePointOrder(po, truth);
        if (v === 'correct') pvtCorrect++;
        else if (v === 'wrong') pvtWrong++;
        else pvtTie++;
      }
    }
    if (!bounded) continue;
    const io = intervalOrder(A.lo[j]!, A.hi[j]!, B.lo[j]!, B.hi[j]!);
    if (io === null) continue;
    iv++;
    if (io !== 0) {
      ivProven++;
      if (io === -1) ivA++;
      else ivB++;
    }
    if (truth !== null) {
      ivt++;
      const v = judgeIntervalOrder(io, truth);
      const dg = (dA[j]! | dB[j]!) !== 0;
      if (dg) ivtDeg++;
      if (v === 'correct') ivtCorrect++;
      else if (v === 'ambiguous') ivtAmb++;
      else {
        ivtWrong++;
        if (dg) ivtWrongDeg++;
        // a wrong proven order needs at least one interval that misses its own true arrival
        if (!covers(A.lo[j]!, A.hi[j]!, tA[j]!)) missA++;
        if (!covers(B.lo[j]!, B.hi[j]!, tB[j]!)) missB++;
      }
    }
  }
  t.compared += compared;
  t.aFirst += aFirst;
  t.bFirst += bFirst;
  t.ties += ties;
  t.pvt += pvt;
  t.pvtCorrect += pvtCorrect;
  t.pvtWrong += pvtWrong;
  t.pvtTie += pvtTie;
  t.iv += iv;
  t.ivProven += ivProven;
  t.ivA += ivA;
  t.ivB += ivB;
  t.ivt += ivt;
  t.ivtCorrect += ivtCorrect;
  t.ivtWrong += ivtWrong;
  t.ivtAmb += ivtAmb;
  t.ivtDeg += ivtDeg;
  t.ivtWrongDeg += ivtWrongDeg;
  t.ivtWrongMissA += missA;
  t.ivtWrongMissB += missB;
}
