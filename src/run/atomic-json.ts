import { promises as fs } from 'node:fs';
import path from 'node:path';

/** JSON.stringify that writes bigint as a decimal string (ns values exceed 2^53). */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), indent);
}

/** Write JSON to a temp file, fsync it, rename over the target: readers never see half a file. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(toJson(value) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}
