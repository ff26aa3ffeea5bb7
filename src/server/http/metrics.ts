/**
 * /metrics in the Prometheus text format. The engine keeps each query's last 100 progress objects;
 * the collector folds every new one into counters (polled every second and on each scrape), so the
 * counters keep counting whatever the scrape interval.
 */
import type { Engine } from '../../engine/index.js';
import type { Progress } from '../../engine/index.js';

/** Upper bounds (seconds) of the batch duration histogram. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface QueryCounters {
  lastSeenBatch: number;
  inputRows: number;
  outputRows: number;
  badRows: number;
  skippedInputs: number;
  lateRows: number;
  batches: number;
  durationSum: number;
  buckets: number[];
  stateRows: Map<string, number>;
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

function labels(entries: Record<string, string>): string {
  const parts = Object.entries(entries).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export class MetricsCollector {
  private readonly counters = new Map<string, QueryCounters>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly engine: Engine,
    private readonly subscribers: () => Map<string, number>,
    pollMs = 1000,
  ) {
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Folds the progress objects not seen yet into the counters. */
  poll(): void {
    const names = new Set<string>();
    for (const q of this.engine.queries()) {
      names.add(q.name);
      let c = this.counters.get(q.name);
      let progress: readonly Progress[];
      try {
        progress = this.engine.progress(q.name);
      } catch {
        continue;
      }
      if (!c || (progress.length > 0 && progress[progress.length - 1]!.batchId < c.lastSeenBatch)) {
        // new, or dropped and created again under the same name
        c = { lastSeenBatch: -1, inputRows: 0, outputRows: 0, badRows: 0, skippedInputs: 0, lateRows: 0, batches: 0, durationSum: 0, buckets: DURATION_BUCKETS.map(() => 0), stateRows: new Map() };
        this.counters.set(q.name, c);
      }
      for (const p of progress) {
        if (p.batchId <= c.lastSeenBatch) continue;
        c.lastSeenBatch = p.batchId;
        c.batches++;
        c.inputRows += p.numInputRows;
        c.outputRows += p.sink.numOutputRows;
        c.badRows += p.sources.reduce((n, s) => n + s.numBadRows, 0);
        c.skippedInputs += p.sources.reduce((n, s) => n + (s.numSkippedInputs ?? 0), 0);
        c.lateRows += p.stateOperators.reduce((n, s) => n + s.numRowsDroppedByWatermark, 0);
        const seconds = (p.durationMs.triggerExecution ?? 0) / 1000;
        c.durationSum += seconds;
        DURATION_BUCKETS.forEach((bound, i) => {
          if (seconds <= bound) c.buckets[i]!++;
        });
        c.stateRows = new Map(p.stateOperators.map((s) => [s.operatorName, s.numRowsTotal]));
      }
    }
    for (const name of this.counters.keys()) if (!names.has(name)) this.counters.delete(name);
  }

  render(): string {
    this.poll();
    const out: string[] = [];
    const family = (name: string, type: string, help: string, samples: [string, number][]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [l, v] of samples) out.push(`${name}${l} ${v}`);
    };
    const each = (f: (c: QueryCounters) => number): [string, number][] => [...this.counters].map(([q, c]) => [labels({ query: q }), f(c)]);
    const queries = this.engine.queries();
    family('eddy_queries', 'gauge', 'Continuous queries by status.', countBy(queries.map((q) => q.status)).map(([s, n]) => [labels({ status: s }), n]));
    family('eddy_query_up', 'gauge', '1 when the query is running (or retrying), else 0 (recovering: its database is being reopened).', queries.map((q) => [labels({ query: q.name, kind: q.kind, status: q.status }), q.status === 'running' || q.status === 'retrying' ? 1 : 0]));
    family('eddy_query_last_batch', 'gauge', 'The id of the last committed batch.', queries.filter((q) => q.lastBatch !== null).map((q) => [labels({ query: q.name }), q.lastBatch!]));
    family('eddy_query_input_rows_total', 'counter', 'Rows read from the query\'s sources.', each((c) => c.inputRows));
    family('eddy_query_output_rows_total', 'counter', 'Rows the query wrote to its result or sink.', each((c) => c.outputRows));
    family('eddy_query_bad_rows_total', 'counter', 'Input rows that could not be read and were skipped.', each((c) => c.badRows));
    family('eddy_query_skipped_inputs_total', 'counter', 'Input files skipped whole: unreadable, or gone since their batch was planned.', each((c) => c.skippedInputs));
    family('eddy_query_late_rows_total', 'counter', 'Rows dropped because they arrived behind the watermark.', each((c) => c.lateRows));
    family('eddy_query_batches_total', 'counter', 'Batches committed.', each((c) => c.batches));
    out.push('# HELP eddy_query_batch_duration_seconds Time from a batch\'s start to its commit.', '# TYPE eddy_query_batch_duration_seconds histogram');
    for (const [q, c] of this.counters) {
      DURATION_BUCKETS.forEach((bound, i) => out.push(`eddy_query_batch_duration_seconds_bucket${labels({ query: q, le: String(bound) })} ${c.buckets[i]}`));
      out.push(`eddy_query_batch_duration_seconds_bucket${labels({ query: q, le: '+Inf' })} ${c.batches}`);
      out.push(`eddy_query_batch_duration_seconds_sum${labels({ query: q })} ${c.durationSum}`);
      out.push(`eddy_query_batch_duration_seconds_count${labels({ query: q })} ${c.batches}`);
    }
    const state: [string, number][] = [];
    for (const [q, c] of this.counters) for (const [op, rows] of c.stateRows) state.push([labels({ query: q, operator: op }), rows]);
    family('eddy_query_state_rows', 'gauge', 'Rows held in each stateful operator\'s state.', state);
    const storage = this.engine.storageHealth();
    family('eddy_storage_up', 'gauge', '1 while the data directory takes writes, 0 while writes fail or the database is being reopened.', [['', storage.state === 'ok' ? 1 : 0]]);
    family('eddy_storage_state', 'gauge', 'The storage state now (1 for the current one): ok, failing (writes fail), recovering (reopening the database).',
      (['ok', 'failing', 'recovering'] as const).map((s) => [labels({ state: s }), storage.state === s ? 1 : 0]));
    family('eddy_storage_recoveries_total', 'counter', 'Times the database was reopened after a failed write.', [['', storage.recoveries]]);
    family('eddy_duckdb_threads', 'gauge', 'DuckDB worker threads now: every core for bulk work, one while only small batches run.', [['', this.engine.duckdbThreads]]);
    family('eddy_subscribers', 'gauge', 'Websocket and HTTP subscribers per query.', [...this.subscribers()].map(([q, n]) => [labels({ query: q }), n]));
    return `${out.join('\n')}\n`;
  }
}

function countBy(values: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts];
}
