// The coordinator's end handshake waits for workers that are finishing their re-estimations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlClient, type WorkerAddress } from '../../src/coordinator/control.js';
import { decodeMessage, type ByeReply, type StatusReply } from '../../src/protocol/messages.js';
import { Logger } from '../../src/cli/logger.js';

/**
 * A fake socket standing in for two workers: both answer each `end` with status `ending` until
 * `busyMs` after the first `end` (re-estimations still pending), then say bye.
 */
function fakeWorkers(busyMs: number, control: () => ControlClient) {
  let firstEnd = 0;
  return {
    socket: {
      send(buf: Buffer, port: number, host: string) {
        const d = decodeMessage(buf, 'R', null);
        if (!d.ok || d.msg.k !== 'end') return;
        const from = `${host}:${port}`;
        firstEnd ||= Date.now();
        setImmediate(() => {
          if (Date.now() - firstEnd < busyMs) {
            control().onStatus(from, { v: 1, k: 'status', run: 'R', node: from, state: 'ending', sources: {} } as StatusReply);
          } else control().onBye(from, { v: 1, k: 'bye', run: 'R', node: from, received: 1 } as ByeReply);
        });
      },
    },
  };
}

test('end: a worker still answering "ending" is waited for beyond the end timeout; a silent one is given up after it', async () => {
  const workers: WorkerAddress[] = [
    { host: '10.0.0.2', port: 1, label: '10.0.0.2:1' },
    { host: '10.0.0.3', port: 1, label: '10.0.0.3:1' },
  ];
  let c!: ControlClient;
  const fake = fakeWorkers(2500, () => c);
  c = new ControlClient({ socket: fake.socket } as never, workers, 'R', null, new Logger('test', null, 'error'));
  const t0 = Date.now();
  const { silent, byes } = await c.end(1000); // shorter than the workers' 2.5 s of re-estimations
  assert.deepEqual(silent, [], 'workers finishing re-estimations were given up');
  assert.equal(byes.size, 2);
  assert.ok(Date.now() - t0 >= 2400, 'waited for the byes');

  // A worker that never answers: given up after the timeout, not waited for indefinitely.
  const dead = new ControlClient({ socket: { send() {} } } as never, workers.slice(0, 1), 'R', null, new Logger('test', null, 'error'));
  const t1 = Date.now();
  assert.deepEqual((await dead.end(700)).silent, ['10.0.0.2:1']);
  assert.ok(Date.now() - t1 < 2000);
});
