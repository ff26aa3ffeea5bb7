/**
 * `eddy bench nexmark [--queries q0,q5] [--events N] [--json FILE] ...`: runs the Nexmark benchmark
 * harness (bench/nexmark) and prints its table; --json writes one object per query.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_QUERIES } from '../../bench/nexmark/queries.js';
import { DEFAULT_INCREMENTAL_QUERIES, formatTable, runNexmarkBench, type NexmarkBenchOptions } from '../../bench/nexmark/run.js';
import type { CliIo } from './io.js';

export const BENCH_HELP = `Usage:
  eddy bench nexmark [--queries q0,q1,...] [--events N] [--json FILE]
                     [--batch-rows R] [--events-per-second E]
                     [--incremental-events N1,N2] [--incremental-queries q4,q5,q7]
                     [--incremental-trigger-ms T] [--incremental-samples S]
                     [--latency-seconds S] [--no-one-row] [--no-replay] [--timeout-seconds T] [--profile]
      Per query: Eddy streaming N events (default 1000000) in batches of at most R rows (default
      100000) against DuckDB running the same query once over the same events in a table; then an
      incremental trigger after N1, N2 retained events against recomputing (default: at N, for
      q4, q5, q7; --incremental-events 0 skips; the median of S small batches, default 20, from
      1.5 s after catching up, each starting when the last ended, or every T ms with
      --incremental-trigger-ms, which fixes their size for comparing two builds), a one-row
      batch's fixed cost (also after 1.5 s of warm-up), and p50/p99 latency
      from event release to a subscriber at half the measured rate for S seconds (default 5; 0 skips).
      Unless --no-replay, each query also streams the same events from push sources that already
      hold them (loaded untimed): Eddy without the generator, against DuckDB over the same tables.
      Queries default to q0-q9 (sql-examples/nexmark). E sets event-time spacing (default 10000).
      A streaming run longer than T seconds (default 600) is paused and reported as an error.
      --profile times every DuckDB statement and prints the statement shapes that took the most
      time: for the one-row batches, each streaming run (statement_profile in the JSON) and the
      small batches of each incremental run (incremental_statement_profile).
`;

function positiveInt(flag: string, value: string | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer, not '${value}'`);
  return n;
}

function list(value: string | undefined, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Parses `eddy bench ...` arguments (after `bench`). */
export function parseBenchArgs(argv: readonly string[]): NexmarkBenchOptions & { json: string | undefined } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      queries: { type: 'string' },
      events: { type: 'string' },
      json: { type: 'string' },
      'batch-rows': { type: 'string' },
      'events-per-second': { type: 'string' },
      'incremental-events': { type: 'string' },
      'incremental-queries': { type: 'string' },
      'incremental-trigger-ms': { type: 'string' },
      'incremental-samples': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'no-one-row': { type: 'boolean' },
      'no-replay': { type: 'boolean' },
      'timeout-seconds': { type: 'string' },
      profile: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1 || positionals[0] !== 'nexmark') throw new Error(`eddy bench takes one benchmark name, 'nexmark'`);
  const events = positiveInt('--events', values.events, 1_000_000);
  const incremental = list(values['incremental-events'], [String(events)]).map((v) => positiveInt('--incremental-events', v, 0, true)).filter((n) => n > 0);
  return {
    queries: list(values.queries, DEFAULT_QUERIES),
    events,
    eventsPerSecond: positiveInt('--events-per-second', values['events-per-second'], 10_000),
    batchRows: positiveInt('--batch-rows', values['batch-rows'], 100_000),
    incrementalEvents: incremental,
    incrementalQueries: list(values['incremental-queries'], DEFAULT_INCREMENTAL_QUERIES),
    incrementalTriggerMs: positiveInt('--incremental-trigger-ms', values['incremental-trigger-ms'], 0, true),
    incrementalSamples: positiveInt('--incremental-samples', values['incremental-samples'], 20),
    latencySeconds: positiveInt('--latency-seconds', values['latency-seconds'], 5, true),
    oneRowBatch: values['no-one-row'] !== true,
    replayed: values['no-replay'] !== true,
    timeoutS: positiveInt('--timeout-seconds', values['timeout-seconds'], 600),
    profile: values.profile === true,
    json: values.json,
  };
}

/** Runs `eddy bench ...`; returns the exit code. */
export async function bench(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(BENCH_HELP);
    return 0;
  }
  let options;
  try {
    options = parseBenchArgs(argv);
  } catch (e) {
    io.err(`ERROR: ${(e as Error).message}\n${BENCH_HELP}`);
    return 2;
  }
  try {
    const reports = await runNexmarkBench(options, (line) => io.err(`${line}\n`));
    io.out(formatTable(reports));
    if (options.json !== undefined) fs.writeFileSync(options.json, `${JSON.stringify(reports, null, 2)}\n`);
    return reports.some((r) => r.error !== undefined) ? 1 : 0;
  } catch (e) {
    io.err(`ERROR: ${(e as Error).message}\n`);
    return 1;
  }
}
