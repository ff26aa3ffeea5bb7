/**
 * A query's state database: state.duckdb in the query's directory (src/checkpoint/query-dir.ts),
 * attached to the process's DuckDB as "q_<directory name>". It holds the operators' state tables,
 * the result table, the outbox and the state version (the last batch whose transaction committed,
 * with the source offsets it ended at). The alias is made of the directory name, not the query's:
 * DuckDB folds the case of names (so "q_Hot" and "q_hot" would be one database) and parses
 * qualified names given as text (pragma_table_info), where quotes in a name would break it.
 */
import type { EventTimeState } from './watermark.js';
import type { BatchFrontier } from './epochs.js';
import { join } from 'node:path';
import type { Connection } from '../duck/index.js';
import { quoteIdent, quoteLiteral } from '../duck/quote.js';
import { queryDir, queryDirName, removeInsideQueries } from '../checkpoint/query-dir.js';
import { makeDir } from '../util/make-dir.js';

export interface StateVersion {
  readonly batchId: number;
  readonly offsets: Readonly<Record<string, unknown>>;
  readonly fingerprint: string;
  /** Watermarks after the batch (absent for queries without event time). */
  readonly eventTime?: EventTimeState;
  /** What the batch's result reflects of its root inputs (epochs.ts); readers of a view align on it. */
  readonly frontier?: BatchFrontier;
}

/**
 * Row groups of the state database, in rows (DuckDB's default: 122,880). A transaction writes each
 * row group it fills straight to the database file and logs only a reference in the WAL; smaller
 * ones let a batch's state inserts (100k join rows) take that path instead of going through the WAL
 * at COMMIT and again at the next checkpoint. Measured (1M Nexmark events, 100k-row batches): q7's
 * COMMITs 165 -> 52 ms, streaming q4/q6/q7/q9 10-20% faster, small batches and q3/q5/q8 unchanged
 * (docs/BENCHMARKS.md, session 5).
 */
const STATE_ROW_GROUP_ROWS = 16_384;

export class StateStore {
  readonly alias: string;
  /** Whether the version table is known to hold its one row, so that an UPDATE can set it. */
  private versionRow = false;

  private constructor(private readonly dataDir: string, readonly dir: string, name: string) {
    this.alias = quoteIdent(`q_${queryDirName(name)}`);
  }

  static async attach(conn: Connection, dataDir: string, name: string): Promise<StateStore> {
    const store = new StateStore(dataDir, queryDir(dataDir, name), name);
    await makeDir(store.dir);
    await conn.run(`ATTACH IF NOT EXISTS ${quoteLiteral(join(store.dir, 'state.duckdb'))} AS ${store.alias} (ROW_GROUP_SIZE ${STATE_ROW_GROUP_ROWS})`);
    await conn.run(`CREATE TABLE IF NOT EXISTS ${store.table('__eddy_version')} (batch_id BIGINT, offsets VARCHAR, fingerprint VARCHAR, event_time VARCHAR, frontier VARCHAR)`);
    // state from before frontiers were recorded; a read first, as the state may be read-only now
    // (attached again while the disk refuses writes) and an ALTER is a write even when it adds nothing
    const hasFrontier = await conn.scalar(`SELECT frontier FROM ${store.table('__eddy_version')} LIMIT 0`).then(() => true, () => false);
    if (!hasFrontier) await conn.run(`ALTER TABLE ${store.table('__eddy_version')} ADD COLUMN frontier VARCHAR`);
    return store;
  }

  /** The qualified name of a table in the state database. */
  table(name: string): string {
    return `${this.alias}.main.${quoteIdent(name)}`;
  }

  async version(conn: Connection): Promise<StateVersion | null> {
    const rows = await conn.objects<{ batch_id: number; offsets: string; fingerprint: string; event_time: string | null; frontier: string | null }>(
      `SELECT batch_id, offsets, fingerprint, event_time, frontier FROM ${this.table('__eddy_version')}`,
    );
    const row = rows[0];
    this.versionRow = row !== undefined && rows.length === 1;
    if (!row) return null;
    return {
      batchId: Number(row.batch_id),
      offsets: JSON.parse(row.offsets) as Record<string, unknown>,
      fingerprint: row.fingerprint,
      ...(row.event_time ? { eventTime: JSON.parse(row.event_time) as EventTimeState } : {}),
      ...(row.frontier ? { frontier: JSON.parse(row.frontier) as BatchFrontier } : {}),
    };
  }

  /**
   * Statements that record the state version; run inside the batch's transaction, and call
   * versionCommitted() once it commits.
   */
  setVersionSql(version: StateVersion): string[] {
    const offsets = quoteLiteral(JSON.stringify(version.offsets));
    const eventTime = version.eventTime ? quoteLiteral(JSON.stringify(version.eventTime)) : 'NULL';
    const frontier = version.frontier ? quoteLiteral(JSON.stringify(version.frontier)) : 'NULL';
    const table = this.table('__eddy_version');
    if (this.versionRow) {
      return [`UPDATE ${table} SET batch_id = ${version.batchId}, offsets = ${offsets}, fingerprint = ${quoteLiteral(version.fingerprint)}, event_time = ${eventTime}, frontier = ${frontier}`];
    }
    return [`DELETE FROM ${table}`, `INSERT INTO ${table} VALUES (${version.batchId}, ${offsets}, ${quoteLiteral(version.fingerprint)}, ${eventTime}, ${frontier})`];
  }

  versionCommitted(): void {
    this.versionRow = true;
  }

  /**
   * Estimated bytes per row of each of `tables` (in the state database), from its column types: the
   * width DuckDB stores a value of the type in, strings and nested values counted at 32 bytes. Row
   * counts times these give the state size in progress; an estimate, like Spark's memoryUsedBytes.
   * Read per table (pragma_table_info): duckdb_columns() lists every column of every database and
   * took ~25 ms at a query's first batch.
   */
  async rowWidths(conn: Connection, tables: readonly string[]): Promise<Map<string, number>> {
    const widths = new Map<string, number>();
    if (tables.length === 0) return widths;
    const rows = await conn.objects<{ table_name: string; data_type: string }>(tables
      .map((t) => `SELECT ${quoteLiteral(t)} AS table_name, type AS data_type FROM pragma_table_info(${quoteLiteral(this.table(t))})`)
      .join(' UNION ALL '));
    for (const r of rows) widths.set(r.table_name, (widths.get(r.table_name) ?? 0) + typeWidth(r.data_type));
    return widths;
  }

  async detach(conn: Connection): Promise<void> {
    await conn.run(`DETACH DATABASE IF EXISTS ${this.alias}`);
  }

  /** Detaches and deletes the query's directory (state, offsets, commits). */
  async destroy(conn: Connection): Promise<void> {
    await this.detach(conn);
    await removeInsideQueries(this.dataDir, this.dir);
  }
}

const FIXED_WIDTHS: Readonly<Record<string, number>> = {
  BOOLEAN: 1, TINYINT: 1, UTINYINT: 1, SMALLINT: 2, USMALLINT: 2, INTEGER: 4, UINTEGER: 4, FLOAT: 4, DATE: 4,
  BIGINT: 8, UBIGINT: 8, DOUBLE: 8, TIME: 8, TIMESTAMP: 8, 'TIMESTAMP WITH TIME ZONE': 8, TIMESTAMP_S: 8, TIMESTAMP_MS: 8, TIMESTAMP_NS: 8,
  HUGEINT: 16, UHUGEINT: 16, UUID: 16, INTERVAL: 16,
};

function typeWidth(type: string): number {
  const base = type.toUpperCase();
  if (base in FIXED_WIDTHS) return FIXED_WIDTHS[base]!;
  if (base.startsWith('DECIMAL')) return 16;
  return 32;
}
