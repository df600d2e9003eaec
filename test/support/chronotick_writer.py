#!/usr/bin/env python3
# An independent writer of ChronoTick's shared-memory segment for the tests: the layout is the
# upstream format string itself (JaimeCernuda/ChronoTick clients/python/shm_config.py,
# LAYOUT_FORMAT, native byte order and alignment), packed with struct.pack_into straight into a
# MAP_SHARED mapping of the file, field by field and in order, as the upstream daemon's write_data
# does; the sequence number is a plain counter of publications, as the daemon's correction_count.
# Nothing here uses the reader's offsets.
#
# usage: chronotick_writer.py SEGMENT_FILE   (created zero-filled, as the daemon does, 128 bytes)
# stdin, one JSON object a line; every command answers one line on stdout:
#   {"op": "set", ...fields}     change the fields of later publications (below), answer "ok"
#   {"op": "publish"}            publish once now, answer "ok SEQ PREDICTION_TIME_REPR"
#   {"op": "loop", "period_ms": P}  publish now and then every P ms until the next command ("ok")
#   {"op": "hammer", "ms": M}    publish back to back for M ms, each publication's numbers derived
#                                from its sequence number (offset = seq µs, offset_uncertainty =
#                                seq/10 µs): answer "ok COUNT LAST_SEQ"
#   {"op": "spin", "ms": M}      for M ms rewrite only the sequence number, as fast as it can (a
#                                segment that changes under every read), answer "ok COUNT"
#   {"op": "remove"}             unlink the file (the daemon's cleanup), answer "ok"
# fields: offset_s, drift_rate, offset_unc_s, drift_unc_s, prediction_age_s (prediction_time =
# now − age), valid_for_s (valid_until = now + valid_for_s), confidence, flags, source.
import json
import mmap
import os
import select
import struct
import sys
import time

LAYOUT_FORMAT = 'dddddddd' 'f' 'IIII' 'd' 'd' 'II' 'f' '12s'
SIZE = 128
assert struct.calcsize(LAYOUT_FORMAT) == SIZE

path = sys.argv[1]
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.ftruncate(fd, SIZE)
buf = mmap.mmap(fd, SIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)

fields = {
    'offset_s': 0.0,
    'drift_rate': 0.0,
    'offset_unc_s': 0.0,
    'drift_unc_s': 0.0,
    'prediction_age_s': 0.0,
    'valid_for_s': 60.0,
    'confidence': 0.0,
    'flags': 0,
    'source': 0,
}
seq = 0
start = time.time()


def publish(f, n):
    now = time.time()
    prediction_time = now - f['prediction_age_s']
    struct.pack_into(
        LAYOUT_FORMAT, buf, 0,
        now + f['offset_s'],          # corrected_timestamp
        now,                          # system_timestamp
        f['offset_s'],                # offset_correction
        f['drift_rate'],
        f['offset_unc_s'],
        f['drift_unc_s'],
        prediction_time,
        now + f['valid_for_s'],       # valid_until
        f['confidence'],
        n,                            # sequence_number
        f['flags'],
        f['source'],
        n,                            # measurement_count
        now,                          # last_ntp_sync
        now - start,                  # daemon_uptime
        n,                            # total_corrections
        0,                            # reserved
        1.0,                          # average_latency_ms
        b'\x00' * 12,
    )
    return prediction_time


def answer(text):
    sys.stdout.write(text + '\n')
    sys.stdout.flush()


answer('ready')
period = None
while True:
    ready, _, _ = select.select([sys.stdin], [], [], period)
    if not ready:
        seq += 1
        publish(fields, seq)
        continue
    line = sys.stdin.readline()
    if not line:
        break
    cmd = json.loads(line)
    op = cmd.pop('op')
    period = None
    if op == 'set':
        for k, v in cmd.items():
            if k not in fields:
                raise SystemExit(f'unknown field {k}')
            fields[k] = v
        answer('ok')
    elif op == 'publish':
        seq += 1
        p = publish(fields, seq)
        answer(f'ok {seq} {p!r}')
    elif op == 'loop':
        period = cmd['period_ms'] / 1000
        seq += 1
        publish(fields, seq)
        answer('ok')
    elif op == 'hammer':
        until = time.monotonic() + cmd['ms'] / 1000
        count = 0
        f = dict(fields)
        while time.monotonic() < until:
            seq += 1
            f['offset_s'] = seq * 1e-6
            f['offset_unc_s'] = seq * 1e-7
            publish(f, seq)
            count += 1
        answer(f'ok {count} {seq}')
    elif op == 'spin':
        until = time.monotonic() + cmd['ms'] / 1000
        count = 0
        while time.monotonic() < until:
            for _ in range(1000):
                seq += 1
                struct.pack_into('I', buf, 68, seq)
            count += 1000
        answer(f'ok {count}')
    elif op == 'remove':
        os.unlink(path)
        answer('ok')
    else:
        raise SystemExit(f'unknown op {op}')
