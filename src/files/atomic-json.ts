import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bigintAsString, jsonPieces } from './json-pieces.js';

/** JSON.stringify that writes bigint as a decimal string (ns values exceed 2^53). */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, bigintAsString, indent);
}

/** Write JSON to a temp file, fsync it, rename over the target: readers never see half a file. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, toJson(value) + '\n');
}

/**
 * writeJsonAtomic for values of many megabytes (stats.json): the same bytes, made and written in
 * pieces (json-pieces.ts) while the file is written, so `value` must not change until this
 * resolves.
 */
export async function writeLargeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, jsonPieces(value));
}

/**
 * Write text to a temp file beside `file`, fsync it (unless `fsync: false`: files that can be
 * made again, like figures), rename it over `file`. On any failure the
 * temp file is removed (a full disk must not also leave debris) and the error names `file`;
 * its errno `code` is kept.
 */
export async function writeFileAtomic(
  file: string,
  text: string | Buffer | Iterable<string>,
  opts: { fsync?: boolean } = {},
): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  let created = false;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(tmp, 'w');
    created = true;
    try {
      if (typeof text === 'string' || Buffer.isBuffer(text)) await handle.writeFile(text);
      else await writePieces(handle, text);
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

const PIECE_BUFFER_BYTES = 1 << 20;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Pieces of text in UTF-8, gathered in one reused buffer. An ASCII piece is copied as Latin-1
 * (the same bytes, no encoding); each piece can be dropped once copied.
 */
async function writePieces(handle: fs.FileHandle, pieces: Iterable<string>): Promise<void> {
  const buf = Buffer.allocUnsafe(PIECE_BUFFER_BYTES);
  let used = 0;
  const flush = async (bytes: Buffer, end: number) => {
    for (let at = 0; at < end;) at += (await handle.write(bytes, at, end - at)).bytesWritten;
  };
  for (const piece of pieces) {
    const enc = NON_ASCII.test(piece) ? 'utf8' : 'latin1';
    const len = enc === 'latin1' ? piece.length : Buffer.byteLength(piece, 'utf8');
    if (used + len > buf.length) {
      await flush(buf, used);
      used = 0;
    }
    if (len > buf.length) {
      const big = Buffer.from(piece, enc);
      await flush(big, big.length);
    } else used += buf.write(piece, used, enc);
  }
  await flush(buf, used);
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
