// The sweep's progress lines: cells done / total, elapsed, time left, and the cell just finished.
import type { SweepCell } from '../files/sweep-manifest.js';

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function paramsText(params: SweepCell['params']): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(' ') : '(no swept parameters)';
}

export interface Progress {
  done: number;
  total: number;
  elapsedMs: number;
  /** Estimated from the mean time of the cells run so far. */
  leftMs: number;
  cell: SweepCell;
  /** How long the cell took. */
  ms: number;
}

/** `[3/8] c02 seed 2 rate=100 → results/… exit 0 (12 s) | elapsed 40 s, about 1 min 20 s left` */
export function progressLine(p: Progress): string {
  const c = p.cell;
  return (
    `[${p.done}/${p.total}] ${c.cell} seed ${c.seed} ${paramsText(c.params)} → ${c.run_dir ?? '—'} ${c.status} exit ${c.exit_code ?? '—'} (${formatDuration(p.ms)})` +
    ` | elapsed ${formatDuration(p.elapsedMs)}, ${p.done >= p.total ? 'all cells finished' : `about ${formatDuration(p.leftMs)} left`}`
  );
}
