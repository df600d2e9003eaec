/** The one table `npm run bench` prints: each figure beside its same-run baseline and the ratio. */
export interface Row {
  id: string;
  figure: string;
  /** null: not measured (reason in `note`); never a made-up value. */
  value: number | null;
  baseline: number | null;
  unit: 'µs' | 'ms' | 'ev/s' | 's' | 'MiB';
  /** e.g. '≤ 50 µs'; '' when the issue sets no target. */
  target: string;
  met: boolean | null;
  note?: string;
}

export function fmt(v: number | null, unit: Row['unit']): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (unit === 'ev/s') return `${Math.round(v).toLocaleString('en-US')} ev/s`;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`;
}

export function ratio(v: number | null, b: number | null): string {
  if (v === null || b === null || !Number.isFinite(v) || !Number.isFinite(b) || b === 0) return '—';
  const r = v / b;
  return `${Math.abs(r) >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

export function renderTable(rows: readonly Row[]): string {
  const head = ['#', 'figure', 'chronoeval', 'baseline', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.id,
    r.figure,
    fmt(r.value, r.unit),
    fmt(r.baseline, r.unit),
    ratio(r.value, r.baseline),
    r.target || '—',
    r.met === null ? '—' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i >= 2 && i <= 4 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
