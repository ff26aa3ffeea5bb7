/** A duration in microseconds as EXPLAIN prints it: `6s`, `90min`, `2h`, `-500ms`. */
export function formatMicros(us: number): string {
  const sign = us < 0 ? '-' : '';
  const abs = Math.abs(us);
  if (abs === 0) return '0s';
  if (abs % 3_600_000_000 === 0) return `${sign}${abs / 3_600_000_000}h`;
  if (abs % 60_000_000 === 0) return `${sign}${abs / 60_000_000}min`;
  if (abs % 1_000_000 === 0) return `${sign}${abs / 1_000_000}s`;
  return `${sign}${abs / 1000}ms`;
}
