// What the main thread and a parse thread (parse-thread.ts) share: the thread's start data and the
// layout of the shared counters they use for flow control instead of messages.
import type { RowRole } from '../load/decoded-rows.js';
import type { EventReadOptions } from '../load/event-rows.js';

export interface ParseThreadData {
  files: { file: string; displayPath: string; role: RowRole; read: EventReadOptions }[];
  /** Shared counters: see the slots below. */
  flow: Int32Array;
  /** Batches decoded ahead of the join per file. */
  credits: number;
  /** A thread whose files are all `credits` ahead sleeps until one is taken down to this. */
  lowWater: number;
}

/** Shared Int32Array slots: the thread sleeps (1) / not; wake-ups; per file, batches taken and produced. */
export const SLEEPING = 0,
  WAKE = 1;
export const takenSlot = (file: number): number => 2 + 2 * file;
export const producedSlot = (file: number): number => 3 + 2 * file;
export const flowSlots = (files: number): number => 2 + 2 * files;
