import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';

export const KEY_ENV = 'CHRONOEVAL_KEY';

/** Where a process's run key came from; `none` only with --insecure. Recorded in manifests and summaries. */
export type KeySource = 'key-file' | 'env' | 'none';

export interface ResolvedKey {
  key: Buffer | null;
  source: KeySource;
  /** What a manifest records: `{ authenticated, key_source }` (never the key). */
  security: { authenticated: boolean; key_source: KeySource };
}

/**
 * A fresh per-run HMAC key written to a 0600 file (never passed on a command line).
 * The file is created exclusively with mode 0600, so the key is never readable by others,
 * not even for a moment (writing over an existing 0644 file would keep its mode until chmod).
 */
export async function writeNewKeyFile(file: string): Promise<Buffer> {
  const key = randomBytes(32);
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    await fs.rm(file, { force: true });
    fh = await fs.open(file, 'wx', 0o600);
  }
  try {
    await fh.chmod(0o600); // a umask can only narrow the mode; make it exact anyway
    await fh.writeFile(key.toString('hex') + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  return key;
}

/**
 * Resolve the run key: --key-file, else $CHRONOEVAL_KEY (hex), else null only with --insecure.
 * Throws a one-line error saying what to do.
 */
export async function loadKey(opts: { keyFile?: string; insecure?: boolean }): Promise<Buffer | null> {
  return (await resolveKey(opts)).key;
}

/** As `loadKey`, also saying where the key came from (for the manifest / summary). */
export async function resolveKey(opts: { keyFile?: string; insecure?: boolean }): Promise<ResolvedKey> {
  const env = process.env[KEY_ENV];
  if (opts.insecure && (opts.keyFile || env)) {
    // Both at once is a mistake either way: refuse rather than guess whether to authenticate.
    throw new Error(
      `--insecure conflicts with ${opts.keyFile ? `--key-file ${opts.keyFile}` : `$${KEY_ENV}`}: give a key or --insecure, not both`,
    );
  }
  if (opts.keyFile) return resolved(await readKeyFile(opts.keyFile), 'key-file');
  if (env !== undefined) {
    if (env.trim() === '') throw new Error(`$${KEY_ENV} is set but empty: unset it or give 32-128 hex digits`);
    return resolved(parseHexKey(env.trim(), `$${KEY_ENV}`), 'env');
  }
  if (opts.insecure) return resolved(null, 'none');
  throw new Error(
    `no run key: pass --key-file FILE (hex key, mode 0600), set $${KEY_ENV}, or pass --insecure for an unauthenticated hand-run experiment`,
  );
}

function resolved(key: Buffer | null, source: KeySource): ResolvedKey {
  return { key, source, security: { authenticated: key !== null, key_source: source } };
}

/** Read the key through one handle: the mode checked is the mode of the file read. */
async function readKeyFile(file: string): Promise<Buffer> {
  const where = `--key-file ${file}`;
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    throw new Error(`${where}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${where}: not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new Error(`${where}: mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} lets group/others read it; run chmod 600 on it`);
    }
    if (st.size > 1024) throw new Error(`${where}: ${st.size} bytes, too large for a key (32-128 hex digits)`);
    return parseHexKey((await fh.readFile('utf8')).trim(), where);
  } finally {
    await fh.close();
  }
}

function parseHexKey(hex: string, where: string): Buffer {
  // Never echo the value: it is (or is meant to be) a secret.
  if (!/^[0-9a-fA-F]{32,128}$/.test(hex) || hex.length % 2)
    throw new Error(`${where}: key must be an even number of 32-128 hex digits (16-64 bytes); got ${hex.length} characters`);
  return Buffer.from(hex, 'hex');
}
