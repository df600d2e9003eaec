#!/usr/bin/env node
// Stand-alone entry for the deploy (same as `chronoeval deploy`):
//   node dist/src/deploy/main.js INVENTORY [--dry-run] [--cleanup]
import { deployCommand } from './index.js';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const files = args.filter((a) => !a.startsWith('--'));
const unknown = [...flags].filter((f) => f !== '--dry-run' && f !== '--cleanup');
if (files.length !== 1 || unknown.length) {
  process.stderr.write(`usage: deploy INVENTORY [--dry-run] [--cleanup]${unknown.length ? ` (unknown: ${unknown.join(' ')})` : ''}\n`);
  process.exit(2);
}
// The CLI module is not the running program here, so importing it only declares its options.
process.exitCode = await deployCommand({ inventory: files[0], dryRun: flags.has('--dry-run'), cleanup: flags.has('--cleanup') });
