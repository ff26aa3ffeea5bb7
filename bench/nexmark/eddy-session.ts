/**
 * An Eddy engine in a throw-away data directory with Nexmark sources, a query to run and a record of
 * every batch's progress (the engine keeps only the last 100, so a poller copies them as they come).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NEXMARK_COLUMNS } from '../../src/connectors/nexmark/schema.js';
import { quoteIdent, quoteLiteral } from '../../src/duck/quote.js';
import { Engine } from '../../src/engine/index.js';
import { engineTuningFromEnv } from '../../src/cli/tuning-env.js';
import type { Progress } from '../../src/exec/progress.js';
import type { LoadedQuery, NexmarkSourceName } from './queries.js';

export interface SourceSpec {
  readonly eventsPerSecond: number;
  /** Unthrottled with a total of maxEvents events, or released at eventsPerSecond from startTimeMs. */
  readonly maxEvents?: number;
  readonly startTimeMs?: number;
  /** Event time of event 0; the connector's default (Beam's base time) when absent. */
  readonly baseTimeMs?: number;
}

/** RisingWave's 4-second watermark, as every source of the benchmark declares it. */
const WATERMARK = `WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND`;

/** CREATE SOURCE statements for the given kinds, with RisingWave's 4-second watermark. */
export function sourcesSql(kinds: readonly NexmarkSourceName[], spec: SourceSpec): string {
  return kinds.map((table) => {
    const options = [`connector = 'nexmark'`, `table = ${quoteLiteral(table)}`, `events_per_second = ${spec.eventsPerSecond}`];
    if (spec.maxEvents !== undefined) options.push(`rate_limited = false`, `max_events = ${spec.maxEvents}`);
    if (spec.startTimeMs !== undefined) options.push(`start_time = ${Math.trunc(spec.startTimeMs)}`);
    if (spec.baseTimeMs !== undefined) options.push(`base_time = ${Math.trunc(spec.baseTimeMs)}`);
    return `CREATE SOURCE ${quoteIdent(table)} (${WATERMARK}) WITH (${options.join(', ')});`;
  }).join('\n');
}

/** A push source (rows inserted with SQL) with a Nexmark table's columns and the same watermark. */
export function pushSourceSql(table: NexmarkSourceName): string {
  const columns = NEXMARK_COLUMNS[table].map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  return `CREATE SOURCE ${quoteIdent(table)} (${columns}, ${WATERMARK})`;
}

/** The query as a blackhole sink or a materialized view, with extra query options (e.g. max_rows_per_batch). */
export function querySql(query: LoadedQuery, name: string, output: 'sink' | 'view', options: Readonly<Record<string, string | number>>): string {
  const opts = Object.entries(options).map(([k, v]) => `${k} = ${typeof v === 'number' ? String(v) : quoteLiteral(v)}`);
  if (output === 'sink') return `CREATE SINK ${quoteIdent(name)} AS ${query.select} WITH (${["connector = 'blackhole'", ...opts].join(', ')})`;
  return `CREATE MATERIALIZED VIEW ${quoteIdent(name)}${opts.length > 0 ? ` WITH (${opts.join(', ')})` : ''} AS ${query.select}`;
}

export class EddySession {
  private readonly batches = new Map<number, Progress>();
  private poller: NodeJS.Timeout | null = null;

  private constructor(readonly engine: Engine, private readonly dir: string) {}

  static async open(): Promise<EddySession> {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-nexmark-'));
    return new EddySession(await Engine.open({ ...engineTuningFromEnv(), dataDir: join(dir, 'data') }), dir);
  }

  /** Starts copying the progress of `name` every `ms` (call collect() for the final state). */
  watch(name: string, ms = 50): void {
    this.poller = setInterval(() => this.collect(name), ms);
  }

  /** Copies the engine's current progress of `name`; returns every batch seen so far, in order. */
  collect(name: string): Progress[] {
    try {
      for (const p of this.engine.progress(name)) this.batches.set(p.batchId, p);
    } catch {
      // the query may not exist yet
    }
    return [...this.batches.values()].sort((a, b) => a.batchId - b.batchId);
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    await this.engine.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Sums each durationMs phase over batches. */
export function phaseTotals(batches: readonly Progress[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of batches) for (const [k, v] of Object.entries(p.durationMs)) out[k] = (out[k] ?? 0) + v;
  return out;
}
