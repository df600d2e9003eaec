import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BatchedCsvWriter } from '../../src/files/csv-writer.js';
import { tmpDir } from '../support/helpers.js';

test('rows are buffered, then written with the header once; empty cells stay empty', async () => {
  const f = path.join(tmpDir(), 'a.csv');
  const w = new BatchedCsvWriter(f, ['a', 'b', 'c'], 10_000);
  await w.open();
  w.append([1n, null, 'x,y']);
  assert.equal(readFileSync(f, 'utf8'), 'a,b,c\n');
  await w.close();
  assert.equal(readFileSync(f, 'utf8'), 'a,b,c\n1,,"x,y"\n');
});

test('reopening appends below existing rows and ends a torn last line first', async () => {
  const f = path.join(tmpDir(), 'b.csv');
  const w = new BatchedCsvWriter(f, ['a', 'b'], 10_000);
  await w.open();
  w.append([1, 2]);
  await w.close();
  appendFileSync(f, '3,'); // a crash mid-line
  const w2 = new BatchedCsvWriter(f, ['a', 'b'], 10_000);
  await w2.open();
  w2.append([5, 6]);
  await w2.close();
  assert.equal(readFileSync(f, 'utf8'), 'a,b\n1,2\n3,\n5,6\n');
});

test('a failing write is reported once and rows are kept in memory, not dropped silently', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'c.csv');
  let fatal: Error | null = null;
  const w = new BatchedCsvWriter(f, ['a'], 10_000, (e) => (fatal = e));
  await w.open();
  // Close the handle behind the writer's back so the next append fails.
  await (w as unknown as { handle: { close(): Promise<void> } }).handle.close();
  w.append([1]);
  await w.flush();
  assert.ok(fatal, 'onFatal called');
  assert.ok(w.failed);
});
