import { randomBytes } from 'node:crypto';
import { promises as fs, statSync } from 'node:fs';

export const KEY_ENV = 'CHRONOEVAL_KEY';

/** A fresh per-run HMAC key written to a 0600 file (never passed on a command line). */
export async function writeNewKeyFile(file: string): Promise<Buffer> {
  const key = randomBytes(32);
  await fs.writeFile(file, key.toString('hex') + '\n', { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return key;
}

/**
 * Resolve the run key: --key-file, else $CHRONOEVAL_KEY (hex), else null only with --insecure.
 * Throws a one-line error saying what to do.
 */
export async function loadKey(opts: { keyFile?: string; insecure?: boolean }): Promise<Buffer | null> {
  if (opts.keyFile) {
    let text: string;
    try {
      text = await fs.readFile(opts.keyFile, 'utf8');
    } catch (e) {
      throw new Error(`--key-file ${opts.keyFile}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const mode = statSync(opts.keyFile).mode & 0o077;
    if (mode !== 0) throw new Error(`--key-file ${opts.keyFile}: readable by group/others; run chmod 600 on it`);
    return parseHexKey(text.trim(), `--key-file ${opts.keyFile}`);
  }
  const env = process.env[KEY_ENV];
  if (env) return parseHexKey(env.trim(), `$${KEY_ENV}`);
  if (opts.insecure) return null;
  throw new Error(`no run key: pass --key-file FILE (hex key, mode 0600), set $${KEY_ENV}, or pass --insecure for an unauthenticated hand-run experiment`);
}

function parseHexKey(hex: string, where: string): Buffer {
  if (!/^[0-9a-fA-F]{32,128}$/.test(hex) || hex.length % 2) throw new Error(`${where}: key must be 32-128 hex digits (16-64 bytes)`);
  return Buffer.from(hex, 'hex');
}
