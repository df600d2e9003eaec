#!/usr/bin/env node
// Builds the udp_stamp native addon (native/udp-stamp: kernel receive timestamps for the worker)
// with node-gyp against the local Node headers, and copies it to dist/native/udp_stamp.node, where
// the worker loads it and where deploy bundles pick it up. Part of `npm run build`.
//
// Never downloads anything (no headers, no prebuilt binaries) and never fails the build: without a
// compiler the worker still runs and stamps in JavaScript (--recv-stamp auto), so a failure here is
// a loud warning that says how to fix it. The test suite fails on Linux if the addon is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'native/udp-stamp');
const built = path.join(src, 'build/Release/udp_stamp.node');
const out = path.join(root, 'dist/native/udp_stamp.node');
const FIX = 'install python3, make and a C compiler (Debian/Ubuntu: apt-get install python3 make g++) and run "npm run build" again';

function warn(what) {
  rmSync(out, { force: true }); // an older build would contradict this warning
  process.stderr.write(
    `\nchronoeval: WARNING: the udp_stamp native addon was not built: ${what}\n` +
      `  Workers will stamp datagrams in JavaScript instead of using kernel receive timestamps\n` +
      `  (--recv-stamp auto falls back with a warning; --recv-stamp kernel refuses to start).\n` +
      `  To fix: ${FIX}.\n\n`,
  );
  process.exit(0);
}

if (process.platform !== 'linux') {
  process.stderr.write(
    `chronoeval: the udp_stamp addon (SO_TIMESTAMPNS, recvmmsg) is Linux-only; skipped on ${process.platform}: workers stamp in JavaScript.\n`,
  );
  process.exit(0);
}

// Up to date: nothing to do (keeps `npm test`'s build quick).
const newest = Math.max(...['udp_stamp.c', 'binding.gyp'].map((f) => statSync(path.join(src, f)).mtimeMs));
if (existsSync(out) && statSync(out).mtimeMs >= newest) process.exit(0);

// Node's own headers: npm's nodedir when set, else the prefix this node runs from. Without them
// node-gyp would download them, which an install must not do.
const prefixes = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')].filter(Boolean);
const nodedir = prefixes.find((p) => existsSync(path.join(p, 'include/node/node_api.h')));
if (!nodedir)
  warn(
    `Node's C headers (include/node/node_api.h) were not found under ${prefixes.join(' or ')} (on Debian: apt-get install libnode-dev, or use Node from nodejs.org / nodesource, which ships them)`,
  );

// node-gyp: npm's (npm sets npm_config_node_gyp in scripts), else the one bundled with npm beside this node.
const gyp = [
  process.env.npm_config_node_gyp,
  path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].find((p) => p && existsSync(p));
if (!gyp) warn('node-gyp was not found (it comes with npm; run the build through "npm run build")');

const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], {
  cwd: src,
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: nodedir },
});
if (r.error || r.status !== 0) {
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`
    .trim()
    .split('\n')
    .filter((l) => !/^gyp info/.test(l))
    .slice(-12)
    .join('\n    ');
  warn(`node-gyp rebuild failed (${r.error ? r.error.message : `exit ${r.status}`}):\n    ${text}`);
}
if (!existsSync(built)) warn(`node-gyp reported success but ${path.relative(root, built)} is missing`);
try {
  createRequire(import.meta.url)(built);
} catch (e) {
  warn(`the built addon does not load: ${e.message.split('\n')[0]}`);
}
mkdirSync(path.dirname(out), { recursive: true });
copyFileSync(built, out);
process.stderr.write(`chronoeval: built the udp_stamp addon (kernel receive timestamps) → ${path.relative(root, out)}\n`);
