// A worker stopped (SIGSTOP) while a flood fills its socket: the kernel drops what does not fit,
// and the worker's summary says how many (recv_kernel_drops). On loopback nothing is lost in the
// network, so the count must equal sent − recorded, in both receive modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeMessage, encodeMessage } from '../../src/protocol/messages.js';
import { loadUdpStampAddon, NO_NATIVE_ENV } from '../../src/net/udp-stamp-addon.js';
import { loopbackWorkerFlags, startCli, tmpDir, waitStopped } from '../support/helpers.js';
import { workerSummaryOf } from '../support/worker-summary.js';

delete process.env[NO_NATIVE_ENV];
const RUN = 'T-kernel-drops';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const mode of ['kernel', 'user'] as const) {
  test(
    `worker (--recv-stamp ${mode}): kernel drops of a flood into a stopped worker = sent − recorded, in the summary`,
    { skip: process.platform !== 'linux', timeout: 60_000 },
    async (t) => {
      const a = loadUdpStampAddon();
      if ('error' in a) assert.fail(a.error);
      const dir = tmpDir();
      const node = `d-${mode}`;
      const { child, port } = await startCli([
        'worker',
        '--run-id',
        RUN,
        '--node',
        node,
        ...loopbackWorkerFlags(dir),
        '--recv-stamp',
        mode,
      ]);
      const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      child.kill('SIGSTOP');
      await waitStopped(child.pid!);
      // More than the worker's receive buffer holds (it asks for 4 MiB; the kernel caps it at
      // net.core.rmem_max): synchronous sends, each queued on the stopped worker or dropped.
      const rcvbuf = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
      const SENT = Math.min(200_000, Math.max(5000, Math.ceil((Math.min(rcvbuf, 4 << 20) * 2) / 256)));
      const tx = a.addon.open('127.0.0.1', 0, 0, () => {});
      for (let seq = 0; seq < SENT; seq++) {
        a.addon.send(
          tx,
          encodeMessage({ v: 1, k: 'ev', run: RUN, id: seq, seq, st: { system: ['1', '', '', 'ok'] } }, null),
          port,
          '127.0.0.1',
        );
      }
      a.addon.close(tx);
      child.kill('SIGCONT');
      await sleep(1500); // let it drain its queue before the end command, so that no `end` is dropped
      const ctl = dgram.createSocket('udp4');
      await new Promise<void>((r) => ctl.bind(0, '127.0.0.1', r));
      let bye = false;
      ctl.on('message', (b) => {
        const d = decodeMessage(b, RUN, null);
        if (d.ok && d.msg.k === 'bye') bye = true;
      });
      for (let t = 0; t < 40 && !bye; t++) {
        ctl.send(encodeMessage({ v: 1, k: 'end', run: RUN }, null), port, '127.0.0.1');
        await sleep(250);
      }
      ctl.close();
      assert.equal(await exit, 0);
      const s = workerSummaryOf(path.join(dir, 'results', RUN, 'workers', `${node}.summary.json`));
      t.diagnostic(
        `sent ${SENT}, recorded ${s.recorded}, recv_kernel_drops ${s.recv_kernel_drops} (${s.recv_kernel_drops_from}), recv_buffer_bytes ${s.recv_buffer_bytes}`,
      );
      assert.equal(s.recv_stamp, mode);
      assert.ok(s.recorded > 0 && s.recorded < SENT, `recorded ${s.recorded} of ${SENT}: the flood should overflow the buffer`);
      assert.equal(
        s.recv_kernel_drops,
        SENT - s.recorded,
        `summary: ${JSON.stringify({ recorded: s.recorded, received: s.received, recv_kernel_drops: s.recv_kernel_drops, from: s.recv_kernel_drops_from })}`,
      );
      assert.match(s.recv_kernel_drops_from, mode === 'kernel' ? /^SO_(MEMINFO|RXQ_OVFL)$/ : /^\/proc\/net\/udp$/);
    },
  );
}
