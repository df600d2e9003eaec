// The built project as one tarball: no shared filesystem and no network on the remote hosts,
// so the runtime dependencies travel with it (node_modules for production only).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Bundle {
  file: string;
  sha256: string;
  bytes: number;
  gzipped: boolean;
  entries: string[];
}

/** Top-level paths (relative to root) the remote processes need. */
export function bundleEntries(root: string): string[] {
  const entries = ['dist', 'package.json'].filter((p) => existsSync(path.join(root, p)));
  for (const p of ['package-lock.json', 'scenarios']) if (existsSync(path.join(root, p))) entries.push(p);
  return [...entries, ...productionModules(root)];
}

/**
 * Production dependency directories (`npm ls --omit=dev`), read from the local node_modules
 * without network. Falls back to the whole node_modules if npm cannot answer.
 */
export function productionModules(root: string): string[] {
  if (!existsSync(path.join(root, 'node_modules'))) return [];
  const r = spawnSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const lines = (r.stdout ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return ['node_modules'];
  const nm = path.join(root, 'node_modules') + path.sep;
  const tops = new Set<string>();
  for (const abs of lines) {
    if (!abs.startsWith(nm)) continue;
    const rest = abs.slice(nm.length).split(path.sep);
    const top = rest[0].startsWith('@') ? rest.slice(0, 2).join('/') : rest[0];
    if (top && existsSync(path.join(nm, top))) tops.add(`node_modules/${top}`);
  }
  return tops.size ? [...tops].sort() : ['node_modules'];
}

/** Writes `<outDir>/bundle.tar[.gz]` and its sha256 (of the shipped bytes). */
export async function buildBundle(root: string, outDir: string, gzip: boolean): Promise<Bundle> {
  if (!existsSync(path.join(root, 'dist/src/cli.js')))
    throw new Error(`${root}/dist/src/cli.js is missing: run "npx tsc -p ." (npm run build) before deploying`);
  const entries = bundleEntries(root);
  const file = path.join(outDir, gzip ? 'bundle.tar.gz' : 'bundle.tar');
  // Same files give the same bytes (gzip -n: no timestamp), so an unchanged build is not re-sent.
  const script = gzip
    ? 'tar -cf - --exclude=dist/test --exclude=dist/bench "$@" | gzip -1 -n'
    : 'tar -cf - --exclude=dist/test --exclude=dist/bench "$@"';
  await new Promise<void>((resolve, reject) => {
    const child = spawn('sh', ['-c', `set -e; cd "$1"; shift; out="$1"; shift; ${script} >"$out"`, 'sh', root, file, ...entries], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`building the deploy bundle failed (${code}): ${err.trim()}`))));
  });
  const sha256 = await sha256File(file);
  return { file, sha256, bytes: statSync(file).size, gzipped: gzip, entries };
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
