/**
 * Crash-test harness: runs test/support/checkpoint-child.mjs on a data directory, possibly dying on
 * an EDDY_FAULT or a kill -9, and merges what its console sink printed across runs the way a
 * consumer that keys deliveries by batch would (a redelivered batch replaces the earlier copy).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./checkpoint-child.mjs', import.meta.url));
const BUILT_ENGINE = fileURLToPath(new URL('../../dist/src/engine/index.js', import.meta.url));

/** The child runs the built engine; without a build there is nothing to crash. */
export function builtEngineMissing(): string | false {
  return existsSync(BUILT_ENGINE) ? false : 'run `npm run build` first: crash tests run dist/ in child processes';
}

/**
 * A deterministic workload: a nexmark bid stream (a fixed number of events and base time), an
 * aggregating materialized view and a filtering console sink, both in small batches. Every CREATE
 * says IF NOT EXISTS, so the same script starts a data directory and resumes it.
 */
export const WORKLOAD = `
CREATE SOURCE IF NOT EXISTS bid WITH (connector = 'nexmark', table = 'bid', rate_limited = false, max_events = 6000, base_time = '2024-01-01 00:00:00');
CREATE MATERIALIZED VIEW IF NOT EXISTS per_auction WITH (max_rows_per_batch = 300) AS
  SELECT auction, count(*) AS n, sum(price) AS total FROM bid GROUP BY auction;
CREATE SINK IF NOT EXISTS big AS SELECT auction, bidder, price, date_time FROM bid WHERE price % 7 = 0
  WITH (connector = 'console', max_rows_per_batch = 300);
SELECT auction, n, total FROM per_auction ORDER BY auction;
`;

export interface ChildRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs the workload once on `dataDir`; `killAfterMs` sends SIGKILL after that long. */
export function runChild(dataDir: string, env: Record<string, string> = {}, killAfterMs?: number): Promise<ChildRun> {
  const script = join(dataDir, '..', 'workload.sql');
  if (!existsSync(script)) writeFileSync(script, WORKLOAD);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, script], {
      env: { ...process.env, EDDY_FAULT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

/** The materialized view's rows as the last completed run printed them, or null. */
export function resultOf(run: ChildRun): unknown[] | null {
  const line = run.stdout.split('\n').find((l) => l.startsWith('result '));
  return line === undefined ? null : (JSON.parse(line.slice('result '.length)) as unknown[]);
}

/** The console sink's lines of one run, by batch; a batch printed again in the same run replaces the first copy. */
export function sinkBatches(run: ChildRun): Map<number, string[]> {
  const batches = new Map<number, string[]>();
  const redelivered = new Set<number>();
  for (const line of run.stdout.split('\n')) {
    const m = /^batch (\d+)( \(redelivered\))? ([+-] .*)$/.exec(line);
    if (!m) continue;
    const batch = Number(m[1]);
    if (m[2] && !redelivered.has(batch)) {
      redelivered.add(batch);
      batches.set(batch, []);
    }
    if (!batches.has(batch)) batches.set(batch, []);
    batches.get(batch)!.push(m[3]!);
  }
  return batches;
}

/** What a consumer keyed by batch holds after all runs: each batch as last delivered. */
export function mergeByBatch(runs: readonly ChildRun[]): Map<number, string[]> {
  const merged = new Map<number, string[]>();
  for (const run of runs) for (const [batch, lines] of sinkBatches(run)) merged.set(batch, lines);
  return merged;
}

/** Every delivered row, sorted (batch boundaries differ between runs; the rows must not). */
export function sortedRows(batches: ReadonlyMap<number, readonly string[]>): string[] {
  return [...batches.values()].flat().sort();
}
