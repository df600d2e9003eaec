// Whether a sync sample moved its source's model (docs/metrics.md §Sync): the `accepted` cell,
// case-insensitive. '' = not recorded (null); 1 / true / yes = accepted; anything else = rejected.
export function syncAccepted(cell: string): boolean | null {
  const v = cell.toLowerCase();
  if (v === '') return null;
  return v === '1' || v === 'true' || v === 'yes';
}
