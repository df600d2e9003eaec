import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './paths.js';
import { writeJsonAtomic } from './atomic-json.js';
import type { Provenance } from './provenance.js';

export interface Manifest {
  run_id: string;
  kind: 'local' | 'deploy' | 'manual';
  started_utc: string;
  ended_utc: string | null;
  command_line: string[];
  config: Record<string, unknown>;
  hosts: { role: string; node: string; host: string; port?: number }[];
  versions: { chronoeval: string; node: string; platform: string; hostname: string };
  security: { authenticated: boolean; key_source?: string };
  /** The code that ran (git commit, dirty flag, lockfile hash) and the command; absent in runs made before it was recorded. */
  provenance?: Provenance;
  [extra: string]: unknown;
}

export function chronoevalVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function baseVersions(): Manifest['versions'] {
  return {
    chronoeval: chronoevalVersion(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    hostname: os.hostname(),
  };
}

export function writeManifest(file: string, m: Manifest): Promise<void> {
  return writeJsonAtomic(file, m);
}
