import { promises as fs } from 'node:fs';
import path from 'node:path';

/** JSON.stringify that writes bigint as a decimal string (ns values exceed 2^53). */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
}

/** Write JSON to a temp file, fsync it, rename over the target: readers never see half a file. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, toJson(value) + '\n');
}

/**
 * Write text to a temp file beside `file`, fsync it (unless `fsync: false`: files that can be
 * made again, like figures), rename it over `file`. On any failure the
 * temp file is removed (a full disk must not also leave debris) and the error names `file`;
 * its errno `code` is kept.
 */
export async function writeFileAtomic(file: string, text: string | Buffer, opts: { fsync?: boolean } = {}): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  let created = false;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(tmp, 'w');
    created = true;
    try {
      await handle.writeFile(text);
      if (opts.fsync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new FileWriteError(file, e as NodeJS.ErrnoException);
  }
}

/** A file could not be written (disk full, read-only, I/O error): names the file, keeps the errno code. */
export class FileWriteError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly file: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(
      `cannot write ${file} (${cause.code ? `${cause.code}: ${cause.message.replace(new RegExp(`^${cause.code}: `), '').replace(/, \w+(?: '[^']*'(?: -> '[^']*')?)?$/, '')}` : cause.message})`,
    );
    this.code = cause.code;
  }
}
