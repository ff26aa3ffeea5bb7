/** Small measuring helpers shared by the benchmark's runs. */

export interface Measured {
  readonly wallS: number;
  /** User + system CPU of the whole process: DuckDB's worker threads run in-process, so they count. */
  readonly cpuS: number;
}

export function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/** The q-quantile (0..1) of values, nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The q-quantile of weighted values (weights need not sum to 1). */
export function weightedQuantile(points: readonly { value: number; weight: number }[], q: number): number {
  const sorted = points.filter((p) => p.weight > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, p) => n + p.weight, 0);
  if (total === 0) return Number.NaN;
  let acc = 0;
  for (const p of sorted) {
    acc += p.weight;
    if (acc >= q * total) return p.value;
  }
  return sorted[sorted.length - 1]!.value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function round(n: number, digits: number): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
