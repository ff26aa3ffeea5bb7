/**
 * The Eddy side of the benchmark: streaming N events, one incremental trigger after N retained
 * events, a one-row batch's fixed cost, and event-to-subscriber latency at a given rate.
 */
import { statementProfile } from '../../src/duck/statement-profile.js';
import type { Progress } from '../../src/exec/progress.js';
import { cpuSeconds, quantile, sleep, weightedQuantile, type Measured } from './measure.js';
import type { LoadedQuery } from './queries.js';
import { EddySession, phaseTotals, querySql, sourcesSql } from './eddy-session.js';

export interface StreamResult extends Measured {
  readonly batches: number;
  /** durationMs summed per phase over all batches (walCommit, getBatch, addBatch, commit, triggerExecution). */
  readonly phasesMs: Record<string, number>;
  /** Rows the query produced: the view's row count, or the rows the sink was given. */
  readonly outputRows: number;
}

/**
 * Streams all `events` events (unthrottled) through the query in batches of at most `batchRows` rows
 * per source. With `subscribed`, a subscriber receives every batch's changes, as in the latency run.
 */
export async function runStreaming(query: LoadedQuery, events: number, eventsPerSecond: number, batchRows: number, timeoutS: number, subscribed = false): Promise<StreamResult> {
  const s = await EddySession.open();
  try {
    const name = `nexmark_${query.name}`;
    if (query.setup !== '') await s.engine.execute(query.setup);
    await s.engine.execute(sourcesSql(query.sources, { eventsPerSecond, maxEvents: events }));
    s.watch(name);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // (the first batch may run before the subscriber is there: this measures a rate, not each batch)
    await s.engine.execute(querySql(query, name, query.output, { max_rows_per_batch: batchRows, trigger: 'available_now' }));
    if (subscribed) await s.engine.subscribe(name, () => undefined, { snapshot: false });
    await untilStopped(s, name, query.output, timeoutS);
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = cpuSeconds(cpu0);
    const batches = s.collect(name);
    const outputRows = query.output === 'view'
      ? Number((await s.engine.execute(`SELECT count(*) FROM ${name}`))[0]!.rows[0]![0])
      : batches.reduce((n, p) => n + p.sink.numOutputRows, 0);
    return { wallS, cpuS, batches: batches.length, phasesMs: phaseTotals(batches), outputRows };
  } finally {
    await s.close();
  }
}

/**
 * Waits for an available_now query to finish its backlog (its loop stops by itself). Past the time
 * limit the query is paused, which waits only for the batch in flight, and the run is an error.
 */
async function untilStopped(s: EddySession, name: string, output: 'sink' | 'view', timeoutS: number): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    await sleep(10);
    const info = s.engine.queries().find((q) => q.name === name);
    if (info?.status === 'failed') throw new Error(info.error ?? `${name} failed`);
    if (info?.status !== 'running' && info?.status !== 'retrying') break;
    if (Date.now() > deadline) {
      await s.engine.execute(`ALTER ${output === 'sink' ? 'SINK' : 'MATERIALIZED VIEW'} ${name} PAUSE`);
      const done = s.collect(name).reduce((n, p) => n + p.numInputRows, 0);
      throw new Error(`did not finish within ${timeoutS} s (${done} rows processed)`);
    }
  }
  await s.engine.drain();
}

export interface IncrementalResult {
  /** Events released when the small batches were measured (at least the retained target). */
  readonly retainedEvents: number;
  /** Median trigger time of the small batches after catching up, ms. */
  readonly triggerMs: number;
  /** Median input rows of those batches. */
  readonly batchRows: number;
  readonly samples: number;
  /** Median phases of those batches. */
  readonly phasesMs: Record<string, number>;
}

/**
 * Catches up with `retained` events, then measures the batches that follow: the source releases
 * events at `eventsPerSecond` from a start time placed `retained` events in the past, so once the
 * backlog is processed each trigger takes the few events released since the previous one.
 */
export async function runIncremental(query: LoadedQuery, retained: number, eventsPerSecond: number, batchRows: number, samples = 20): Promise<IncrementalResult> {
  const s = await EddySession.open();
  try {
    const name = `nexmark_${query.name}`;
    if (query.setup !== '') await s.engine.execute(query.setup);
    const startTimeMs = Date.now() - (retained * 1000) / eventsPerSecond;
    await s.engine.execute(sourcesSql(query.sources, { eventsPerSecond, startTimeMs }));
    s.watch(name);
    await s.engine.execute(querySql(query, name, 'view', { max_rows_per_batch: batchRows }));
    await s.engine.drain();
    const caughtUp = s.collect(name).at(-1)?.batchId ?? -1;
    statementProfile()?.reset(); // with --profile: the small batches only
    const deadline = Date.now() + 60_000;
    let small: Progress[] = [];
    while (Date.now() < deadline) {
      await sleep(100);
      small = s.collect(name).filter((p) => p.batchId > caughtUp + 1 && p.numInputRows > 0 && p.numInputRows < batchRows);
      if (small.length >= samples) break;
    }
    const last = s.collect(name).at(-1);
    const retainedEvents = Math.max(...(last?.sources ?? []).map((src) => Number(src.endOffset)), retained);
    const phases = new Set(small.flatMap((p) => Object.keys(p.durationMs)));
    const phasesMs = Object.fromEntries([...phases].map((k) => [k, quantile(small.map((p) => p.durationMs[k] ?? 0), 0.5)]));
    return {
      retainedEvents,
      triggerMs: quantile(small.map((p) => p.durationMs.triggerExecution ?? 0), 0.5),
      batchRows: quantile(small.map((p) => p.numInputRows), 0.5),
      samples: small.length,
      phasesMs,
    };
  } finally {
    await s.close();
  }
}

export interface OneRowResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median of the batches' own durationMs (integer ms), by phase. */
  readonly phasesMs: Record<string, number>;
}

/**
 * A push source and a trivial materialized view; each iteration appends one row and drains, which
 * runs one batch (offsets log, load, operators and state version in one transaction, commits log).
 * The view's trigger is an hour, so only the drain runs batches.
 */
export async function runOneRowBatches(iterations = 200, warmup = 20): Promise<OneRowResult> {
  const s = await EddySession.open();
  try {
    await s.engine.execute(`CREATE SOURCE one_row (id BIGINT, v VARCHAR);
CREATE MATERIALIZED VIEW one_row_mv WITH (trigger = '1 hour') AS SELECT id, v FROM one_row;`);
    await s.engine.drain();
    const times: number[] = [];
    for (let i = 0; i < warmup + iterations; i++) {
      await s.engine.appendRows('one_row', [{ id: i, v: `row ${i}` }]);
      const t0 = performance.now();
      await s.engine.drain();
      if (i >= warmup) times.push(performance.now() - t0);
      s.collect('one_row_mv');
    }
    const batches = s.collect('one_row_mv').slice(-iterations);
    const phases = new Set(batches.flatMap((p) => Object.keys(p.durationMs)));
    const phasesMs = Object.fromEntries([...phases].map((k) => [k, quantile(batches.map((p) => p.durationMs[k] ?? 0), 0.5)]));
    return { p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), phasesMs };
  } finally {
    await s.close();
  }
}

export interface LatencyResult {
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Batches whose changes reached the subscriber in the measured interval. */
  readonly batches: number;
}

/**
 * Events released at `eventsPerSecond` (event time = release time), the query as a materialized view
 * and a subscriber. An event's latency is the time from its release (start_time + id / rate) to the
 * subscriber's receipt of the batch that processed it; events of batches with no output never reach
 * a subscriber and are not counted. Measured for `seconds` after a warm-up.
 */
export async function runLatency(query: LoadedQuery, eventsPerSecond: number, seconds: number, warmupSeconds = 2): Promise<LatencyResult> {
  const s = await EddySession.open();
  try {
    const name = `nexmark_${query.name}`;
    if (query.setup !== '') await s.engine.execute(query.setup);
    const startTimeMs = Date.now() + 500;
    await s.engine.execute(sourcesSql(query.sources, { eventsPerSecond, startTimeMs, baseTimeMs: startTimeMs }));
    await s.engine.execute(querySql(query, name, query.output, {}));
    const received = new Map<number, number>();
    const sub = await s.engine.subscribe(name, (c) => received.set(c.batch, Date.now()), { snapshot: false });
    s.watch(name, 20);
    const measureFrom = Date.now() + warmupSeconds * 1000;
    await sleep((warmupSeconds + seconds) * 1000);
    sub.unsubscribe();
    const points: { value: number; weight: number }[] = [];
    let batches = 0;
    for (const p of s.collect(name)) {
      const at = received.get(p.batchId);
      if (at === undefined || at < measureFrom) continue;
      batches++;
      for (const src of p.sources) {
        const from = Number(src.startOffset);
        const to = Number(src.endOffset);
        if (!(to > from)) continue;
        // events are spread evenly over the id range: sample it rather than visit every id
        const steps = Math.min(100, to - from);
        for (let k = 0; k < steps; k++) {
          const id = from + ((to - from) * (k + 0.5)) / steps;
          points.push({ value: at - (startTimeMs + (id * 1000) / eventsPerSecond), weight: (to - from) / steps });
        }
      }
    }
    return { eventsPerSecond, p50Ms: weightedQuantile(points, 0.5), p99Ms: weightedQuantile(points, 0.99), batches };
  } finally {
    await s.close();
  }
}
