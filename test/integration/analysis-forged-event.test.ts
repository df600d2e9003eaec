// End to end in --insecure mode: a real worker records one forged datagram (an event the real
// coordinator never sent, seq far ahead) in the middle of a run. The analysis must count it as an
// unknown event and keep every real event in the metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/index.js';
import { encodeMessage, type EventMessage } from '../../src/protocol/messages.js';
import { runCli, startCli, tmpDir } from '../support/helpers.js';

const RUN = 'T-forged-event';
const EVENTS = 3000;

function rowsIn(file: string): number {
  return existsSync(file) ? readFileSync(file, 'latin1').split('\n').length - 2 : 0;
}

test(
  'one forged datagram recorded by an --insecure worker is an unknown event and removes no real event',
  { timeout: 120_000 },
  async () => {
    const dir = tmpDir('chronoeval-forged-');
    const results = path.join(dir, 'results');
    const common = [
      '--run-id',
      RUN,
      '--results-dir',
      results,
      '--logs-dir',
      path.join(dir, 'logs'),
      '--log-level',
      'error',
      '--insecure',
      '--sources',
      'system',
    ];
    const { child, port } = await startCli([
      'worker',
      ...common,
      '--node',
      'w1',
      '--bind',
      '127.0.0.1',
      '--port',
      '0',
      '--commit-wait-s',
      '',
    ]);
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const coordinator = runCli(['coordinator', ...common, '--workers', `127.0.0.1:${port}`, '--rate', '500', '--count', String(EVENTS)], {
      timeoutMs: 90_000,
    });
    // once the worker has recorded a few hundred events, one datagram nobody authenticated
    const csv = path.join(results, RUN, 'workers', 'w1.csv');
    const until = Date.now() + 60_000;
    while (rowsIn(csv) < 600 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const forged: EventMessage = {
      v: 1,
      k: 'ev',
      run: RUN,
      id: 999_001,
      seq: 999_001,
      st: { system: [String(BigInt(Date.now()) * 1_000_000n), '', '', 'ok'] },
    };
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.send(encodeMessage(forged, null), port, '127.0.0.1', () => r()));
    s.close();
    const c = await coordinator;
    assert.equal(c.code, 0, c.stderr);
    assert.equal(await exited, 0);

    const { stats } = await analyzeRun(path.join(results, RUN), { threads: false });
    const w = stats.delivery.workers[0]!;
    assert.equal(stats.delivery.events_sent, EVENTS);
    assert.equal(w.unknown_events, 1, 'the forged event');
    assert.equal(stats.inputs.join.late_rows, 0, 'no real row turned late');
    assert.equal(w.received, EVENTS - w.lost);
    const causality = stats.causality.find((x) => x.source === 'system' && x.node === 'w1')!;
    assert.equal(causality.point.compared, w.received, 'every received event is in the metrics');
  },
);
