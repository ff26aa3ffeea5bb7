/**
 * The one-shot batch: DuckDB alone, in this process, computing a query once over N Nexmark events
 * that were first generated (untimed) into tables person, auction and bid by the same generator SQL
 * the nexmark source runs.
 */
import os from 'node:os';
import { NEXMARK_DEFAULT_BASE_TIME_MS } from '../../src/connectors/nexmark/source.js';
import { generatorSelect } from '../../src/connectors/nexmark/generator-sql.js';
import { NEXMARK_COLUMNS } from '../../src/connectors/nexmark/schema.js';
import { Database, quoteIdent, type Connection } from '../../src/duck/index.js';
import type { LoadedQuery, NexmarkSourceName } from './queries.js';
import { cpuSeconds, type Measured } from './measure.js';

export interface BatchTables {
  readonly events: number;
  readonly conn: Connection;
  close(): void;
}

/** The SELECT of the first `events` Nexmark events of one kind, as both sides of the benchmark see them. */
export function generatedEventsSql(table: NexmarkSourceName, events: number, eventsPerSecond: number): string {
  return generatorSelect({ table, eventsPerSecond, baseTimeMs: NEXMARK_DEFAULT_BASE_TIME_MS, seed: 0 }, 0, events);
}

/** Generates the first `events` Nexmark events into in-memory tables (only the kinds asked for). */
export async function generateTables(events: number, eventsPerSecond: number, kinds: readonly NexmarkSourceName[]): Promise<BatchTables> {
  const db = await Database.open(':memory:', { threads: os.availableParallelism() });
  const conn = await db.connect();
  for (const table of kinds) {
    const select = generatedEventsSql(table, events, eventsPerSecond);
    const columns = NEXMARK_COLUMNS[table].map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    await conn.run(`CREATE TABLE ${quoteIdent(table)} (${columns})`);
    await conn.run(`INSERT INTO ${quoteIdent(table)} ${select}`);
  }
  return {
    events,
    conn,
    close: () => {
      conn.close();
      db.close();
    },
  };
}

export interface BatchResult extends Measured {
  readonly rows: number;
}

/**
 * Runs the query into a table (results are materialized, as Eddy's are); returns time and rows: the
 * run of median wall time out of `runs`, because a run of tens of milliseconds on a shared machine
 * varied by 2x from one to the next.
 */
export async function runBatch(tables: BatchTables, query: LoadedQuery, runs = 3): Promise<BatchResult> {
  const { conn } = tables;
  const result = quoteIdent(`result_${query.name}`);
  if (query.setup !== '') await conn.run(query.setup);
  const measured: BatchResult[] = [];
  for (let i = 0; i < runs; i++) {
    await conn.run(`DROP TABLE IF EXISTS ${result}`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await conn.run(`CREATE TABLE ${result} AS ${query.duckdb}`);
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = cpuSeconds(cpu0);
    const rows = Number(await conn.scalar(`SELECT count(*) FROM ${result}`));
    measured.push({ wallS, cpuS, rows });
  }
  await conn.run(`DROP TABLE ${result}`);
  return measured.sort((a, b) => a.wallS - b.wallS)[Math.floor(runs / 2)]!;
}
