// A worker summary as a test reads it: through the contract's reader, and required to follow it
// (every field the current worker writes, each with its type).
import assert from 'node:assert/strict';
import { WORKER_SUMMARY_FIELDS, readWorkerSummary, type WorkerSummary } from '../../src/files/worker-summary.js';

export function workerSummaryOf(file: string): WorkerSummary {
  const r = readWorkerSummary(file);
  assert.deepEqual(r.problems, [], `${file} follows the summary contract`);
  const missing = WORKER_SUMMARY_FIELDS.filter((k) => k !== 'write_error' && !(k in r.summary!));
  assert.deepEqual(missing, [], `${file} has every field of the contract`);
  return r.summary as WorkerSummary;
}
