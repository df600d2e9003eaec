// Provenance: which code ran, so that a result can be traced to a commit and re-made (`rerun`).
// Recorded in every run manifest and in sweep.json. Sync and never throws: a tarball install has
// no git, a CI box may lack the lockfile; each missing piece is null, not a guess.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './paths.js';

export interface Provenance {
  /** `git rev-parse HEAD` of the package root; null when not a git checkout or git is absent. */
  git_commit: string | null;
  /** Uncommitted changes in the package root (`git status --porcelain` non-empty); null when unknown. */
  git_dirty: boolean | null;
  /** sha256 (hex) of package-lock.json; null when unreadable. */
  lockfile_sha256: string | null;
  /** `process.version`. */
  node: string;
  /** The command as typed (argv after node). */
  command: string[];
}

const GIT_TIMEOUT_MS = 2000;

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: GIT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
}

function lockfileSha256(): string | null {
  try {
    return createHash('sha256')
      .update(readFileSync(path.join(PACKAGE_ROOT, 'package-lock.json')))
      .digest('hex');
  } catch {
    return null;
  }
}

/** The provenance of the code running now, for `command` (argv after node). */
export function provenance(command: string[]): Provenance {
  const head = git(['rev-parse', 'HEAD'])?.trim() ?? null;
  const status = head === null ? null : git(['status', '--porcelain']);
  return {
    git_commit: head && /^[0-9a-f]{40,64}$/.test(head) ? head : null,
    git_dirty: status === null ? null : status.trim() !== '',
    lockfile_sha256: lockfileSha256(),
    node: process.version,
    command: [...command],
  };
}
