import { SYNC_COLUMNS } from './columns.js';
import { BatchedCsvWriter } from './csv-writer.js';
import type { SyncRow, SyncSink } from '../clock/types.js';

/** Open sync/<node>.csv and return a sink that fills run_id/node_id and orders the columns. */
export async function openSyncLog(
  file: string,
  runId: string,
  nodeId: string,
  onFatal: (e: Error) => void,
): Promise<{ writer: BatchedCsvWriter; sink: SyncSink }> {
  const writer = new BatchedCsvWriter(file, SYNC_COLUMNS, 100, onFatal);
  await writer.open();
  const sink: SyncSink = (row: SyncRow) => {
    const full: SyncRow = { ...row, run_id: runId, node_id: nodeId };
    writer.append(SYNC_COLUMNS.map((c) => full[c]));
  };
  return { writer, sink };
}
