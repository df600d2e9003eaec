import { randomBytes } from 'node:crypto';

/** `YYYYMMDDTHHMMSSZ-<6 hex>`: sortable by start time, unique across concurrent runs. */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-21T17:17:27.123Z
  const stamp = iso.slice(0, 19).replace(/[-:]/g, '') + 'Z';
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const RUN_ID_RE = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$|^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Run ids become directory names and travel in packets: keep them to a safe alphabet. */
export function isValidRunId(id: string): boolean {
  return RUN_ID_RE.test(id) && !id.includes('..');
}
