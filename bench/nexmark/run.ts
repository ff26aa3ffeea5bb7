/**
 * `eddy bench nexmark`: per query, side by side in one run, Eddy streaming N events against DuckDB
 * computing the same query once over the same N events; optionally an incremental trigger against a
 * recompute, a one-row batch's fixed cost, and event-to-subscriber latency at half the measured rate.
 */
import { runBatch, generateTables, type BatchTables } from './duckdb-batch.js';
import { runIncremental, runLatency, runOneRowBatches, runStreaming, runStreamingReplayed, type OneRowResult } from './eddy-runs.js';
import { profileStatements, type StatementShapeTotal } from '../../src/duck/statement-profile.js';
import { round } from './measure.js';
import { loadQueries, type LoadedQuery, type NexmarkSourceName } from './queries.js';

export interface NexmarkBenchOptions {
  readonly queries: readonly string[];
  readonly events: number;
  /** Event-time spacing of the generator (and the release rate where events are rate limited). */
  readonly eventsPerSecond: number;
  /** max_rows_per_batch of the streaming run. */
  readonly batchRows: number;
  /** Retained event counts at which to measure an incremental trigger (empty: not measured). */
  readonly incrementalEvents: readonly number[];
  readonly incrementalQueries: readonly string[];
  /**
   * The incremental run's trigger interval, ms (0: each batch starts when the last ends). A fixed
   * interval fixes the small batches' size, so that two builds compare like with like.
   */
  readonly incrementalTriggerMs?: number;
  /** Small batches measured per incremental run (default 20). */
  readonly incrementalSamples?: number;
  /** Measured seconds of the latency run per query (0: not measured). */
  readonly latencySeconds: number;
  readonly oneRowBatch: boolean;
  /** Also stream the events from push sources that already hold them (the engine without the generator). */
  readonly replayed: boolean;
  /** Time limit of one query's streaming run, seconds. */
  readonly timeoutS: number;
  /** Time each DuckDB statement (statement_profile and incremental_statement_profile in the report). */
  readonly profile?: boolean;
}

export interface IncrementalEntry {
  readonly retained_events: number;
  readonly trigger_ms: number;
  readonly batch_rows: number;
  readonly recompute_s: number;
  readonly ratio: number;
  readonly phases_ms: Record<string, number>;
}

export interface QueryReport {
  query: string;
  output: 'sink' | 'view';
  events: number;
  streaming_s?: number;
  streaming_cpu_s?: number;
  batch_s?: number;
  batch_cpu_s?: number;
  ratio_vs_batch?: number;
  /** Streaming the same events from push sources already holding them: the engine without the generator. */
  replayed_s?: number;
  replayed_cpu_s?: number;
  /** replayed_s / batch_s: both sides start from events already in tables. */
  ratio_replayed_vs_batch?: number;
  replayed_rows?: number;
  replayed_phases_ms?: Record<string, number>;
  events_per_s?: number;
  events_per_cpu_s?: number;
  batches?: number;
  phases_ms?: Record<string, number>;
  eddy_rows?: number;
  duckdb_rows?: number;
  incremental?: IncrementalEntry[];
  /** recompute time / incremental trigger time at the largest retained size measured. */
  incremental_vs_recompute?: number;
  one_row_batch_ms?: number;
  one_row_batch_p99_ms?: number;
  latency_events_per_second?: number;
  latency_p50_ms?: number;
  latency_p99_ms?: number;
  /** The statement shapes that took the most time in the streaming run (with --profile). */
  statement_profile?: StatementShapeTotal[];
  /** The same for the replayed streaming run. */
  replayed_statement_profile?: StatementShapeTotal[];
  /** The same for the small batches of the (last) incremental run. */
  incremental_statement_profile?: StatementShapeTotal[];
  error?: string;
}

export const DEFAULT_INCREMENTAL_QUERIES = ['q4', 'q5', 'q7'];

function kindsOf(queries: readonly LoadedQuery[]): NexmarkSourceName[] {
  return [...new Set(queries.flatMap((q) => q.sources))];
}

/** The first line of an error, short enough for a table cell. */
function message(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

type Log = (line: string) => void;

/** Runs the benchmark; `log` receives progress lines. */
export async function runNexmarkBench(options: NexmarkBenchOptions, logLine: Log = () => undefined): Promise<QueryReport[]> {
  const began = performance.now();
  const log = (line: string): void => logLine(`[${((performance.now() - began) / 1000).toFixed(1)}s] ${line}`);
  const queries = loadQueries(options.queries);
  log(`generating ${options.events} events into DuckDB tables (not timed)`);
  const tables = await generateTables(options.events, options.eventsPerSecond, kindsOf(queries));
  const reports: QueryReport[] = [];
  try {
    let oneRow: OneRowResult | null = null;
    if (options.oneRowBatch) {
      log('one-row batches: push source -> trivial materialized view');
      oneRow = await profiled(options, log, () => undefined, () => runOneRowBatches());
    }
    for (const q of queries) {
      const r: QueryReport = { query: q.name, output: q.output, events: options.events };
      reports.push(r);
      if (oneRow) Object.assign(r, { one_row_batch_ms: round(oneRow.p50Ms, 2), one_row_batch_p99_ms: round(oneRow.p99Ms, 2) });
      try {
        await benchQuery(q, r, tables, options, log);
      } catch (e) {
        r.error = message(e);
        log(`${q.name}: ${r.error}`);
      }
    }
  } finally {
    tables.close();
  }
  return reports;
}

/** One query's measurements, written into `r` as they complete (an error keeps what was measured). */
async function benchQuery(q: LoadedQuery, r: QueryReport, tables: BatchTables, options: NexmarkBenchOptions, log: Log): Promise<void> {
  const N = options.events;
  log(`${q.name}: DuckDB one-shot over ${N} events`);
  const batch = await runBatch(tables, q);
  Object.assign(r, { batch_s: round(batch.wallS, 3), batch_cpu_s: round(batch.cpuS, 3), duckdb_rows: batch.rows });
  log(`${q.name}: Eddy streaming ${N} events (${q.output === 'sink' ? 'blackhole sink' : 'materialized view'})`);
  const stream = await profiled(options, log, (top) => { r.statement_profile = top; },
    () => runStreaming(q, N, options.eventsPerSecond, options.batchRows, options.timeoutS));
  // wall and CPU seconds, and the ratio to the one-shot batch, as reported for either streaming run
  const figures = (run: { wallS: number; cpuS: number }) => [round(run.wallS, 3), round(run.cpuS, 3), round(run.wallS / batch.wallS, 2)] as const;
  const [streamS, streamCpuS, streamRatio] = figures(stream);
  Object.assign(r, {
    streaming_s: streamS, streaming_cpu_s: streamCpuS, ratio_vs_batch: streamRatio,
    events_per_s: Math.round(N / stream.wallS), events_per_cpu_s: Math.round(N / stream.cpuS),
    batches: stream.batches, phases_ms: stream.phasesMs, eddy_rows: stream.outputRows,
  });
  if (options.replayed) {
    log(`${q.name}: Eddy streaming the same ${N} events from push sources holding them (loaded untimed)`);
    const replayed = await profiled(options, log, (top) => { r.replayed_statement_profile = top; },
      () => runStreamingReplayed(q, N, options.eventsPerSecond, options.batchRows, options.timeoutS));
    const [replayedS, replayedCpuS, replayedRatio] = figures(replayed);
    Object.assign(r, {
      replayed_s: replayedS, replayed_cpu_s: replayedCpuS, ratio_replayed_vs_batch: replayedRatio,
      replayed_rows: replayed.outputRows, replayed_phases_ms: replayed.phasesMs,
    });
  }
  if (options.incrementalEvents.length > 0 && options.incrementalQueries.includes(q.name)) {
    await measureIncremental(q, r, batch, options, log);
  }
  if (options.latencySeconds > 0) await measureLatency(q, r, N / stream.wallS, options, log);
}

/** Small batches after each retained size against recomputing over the retained events. */
async function measureIncremental(q: LoadedQuery, r: QueryReport, batchAtN: { wallS: number }, options: NexmarkBenchOptions, log: Log): Promise<void> {
  r.incremental = [];
  for (const retained of options.incrementalEvents) {
    log(`${q.name}: incremental trigger after ${retained} events`);
    const inc = await profiled(options, log, (top) => { r.incremental_statement_profile = top; },
      () => runIncremental(q, retained, options.eventsPerSecond, options.batchRows, options.incrementalSamples, options.incrementalTriggerMs));
    const recompute = retained === options.events ? batchAtN : await recomputeAt(retained, options.eventsPerSecond, q);
    r.incremental.push({
      retained_events: inc.retainedEvents,
      trigger_ms: inc.triggerMs,
      batch_rows: inc.batchRows,
      recompute_s: round(recompute.wallS, 3),
      ratio: round((recompute.wallS * 1000) / inc.triggerMs, 1),
      phases_ms: inc.phasesMs,
    });
  }
  r.incremental_vs_recompute = r.incremental.at(-1)?.ratio;
}

/**
 * Latency at half the maximum rate of the pipeline measured with a subscriber attached: the
 * subscriber turns every change into a JS object, which caps stateless queries well below their
 * blackhole rate (`streamingRate`, events/s).
 */
async function measureLatency(q: LoadedQuery, r: QueryReport, streamingRate: number, options: NexmarkBenchOptions, log: Log): Promise<void> {
  const probeEvents = Math.min(options.events, 500_000);
  const subscribed = await runStreaming(q, probeEvents, options.eventsPerSecond, options.batchRows, options.timeoutS, true);
  const rate = Math.max(1, Math.floor(Math.min(streamingRate, probeEvents / subscribed.wallS) / 2));
  log(`${q.name}: latency at ${rate} events/s for ${options.latencySeconds} s`);
  const lat = await runLatency(q, rate, options.latencySeconds);
  r.latency_events_per_second = rate;
  // No batch with output after the warm-up (q2, q3 at these sizes): no latency to report.
  if (Number.isFinite(lat.p50Ms)) Object.assign(r, { latency_p50_ms: round(lat.p50Ms, 1), latency_p99_ms: round(lat.p99Ms, 1) });
  else log(`${q.name}: no output reached the subscriber after the warm-up; no latency`);
}

/** Runs `run`, with --profile timing its DuckDB statements and logging the costliest shapes. */
async function profiled<T>(options: NexmarkBenchOptions, log: Log, keep: (top: StatementShapeTotal[]) => void, run: () => Promise<T>): Promise<T> {
  const profile = options.profile ? profileStatements(true) : null;
  try {
    return await run();
  } finally {
    profileStatements(false);
    if (profile) {
      const top = profile.top(15).map((s) => ({ ...s, totalMs: round(s.totalMs, 1) }));
      keep(top);
      for (const s of top) log(`  ${String(s.totalMs).padStart(9)} ms ${String(s.count).padStart(6)}x  ${s.shape.slice(0, 220)}`);
    }
  }
}

async function recomputeAt(events: number, eventsPerSecond: number, q: LoadedQuery): Promise<{ wallS: number }> {
  let tables: BatchTables | null = null;
  try {
    tables = await generateTables(events, eventsPerSecond, q.sources);
    return await runBatch(tables, q);
  } finally {
    tables?.close();
  }
}

const COLUMNS: readonly [string, (r: QueryReport) => unknown][] = [
  ['query', (r) => r.query],
  ['out', (r) => r.output],
  ['events', (r) => r.events],
  ['eddy s', (r) => r.streaming_s],
  ['duckdb s', (r) => r.batch_s],
  ['ratio', (r) => r.ratio_vs_batch],
  ['ev/s', (r) => r.events_per_s],
  ['ev/cpu s', (r) => r.events_per_cpu_s],
  ['batches', (r) => r.batches],
  ['rows eddy/duckdb', (r) => (r.eddy_rows === undefined ? undefined : `${r.eddy_rows}/${r.duckdb_rows}`)],
  ['replayed s', (r) => r.replayed_s],
  ['replayed ratio', (r) => r.ratio_replayed_vs_batch],
  ['replayed rows', (r) => r.replayed_rows],
  ['incr ms', (r) => r.incremental?.map((i) => `${i.trigger_ms}@${i.retained_events}`).join(' ')],
  ['incr x', (r) => r.incremental?.map((i) => i.ratio).join(' ')],
  ['1-row ms', (r) => r.one_row_batch_ms],
  ['p50 ms', (r) => r.latency_p50_ms],
  ['p99 ms', (r) => r.latency_p99_ms],
  ['error', (r) => r.error],
];

/** The reports as a Markdown table (also readable on a terminal). */
export function formatTable(reports: readonly QueryReport[]): string {
  const used = COLUMNS.filter(([, get]) => reports.some((r) => get(r) !== undefined));
  const cells = reports.map((r) => used.map(([, get]) => { const v = get(r); return v === undefined ? '' : String(v); }));
  const head = `| ${used.map(([h]) => h).join(' | ')} |`;
  const rule = `|${used.map(() => '---').join('|')}|`;
  return [head, rule, ...cells.map((c) => `| ${c.join(' | ')} |`)].join('\n') + '\n';
}
