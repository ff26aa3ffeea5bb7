/**
 * Step 3 of a batch: each source's rows (start, end] in its batch relation `src_<source>`, which the
 * source scans read; their event times and late rows noted on the way.
 */
import { batchColumns } from '../catalog/keyed-source.js';
import type { InputObject } from '../catalog/types.js';
import type { OffsetEntry } from '../checkpoint/batch-log.js';
import type { LoadStats, SourceOffset, SourceReader } from '../connectors/types.js';
import type { Connection } from '../duck/index.js';
import { quoteIdent, quoteLiteral } from '../duck/quote.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import { sourceBatchTable } from './operators/index.js';
import { columnDefs, fieldType, watermarkSql } from './operators/rule.js';
import { lateRow } from './operators/source-scan.js';
import type { StateStore } from './state-store.js';
import type { WatermarkTracker } from './watermark.js';

const q = quoteIdent;

/** A source's batch table is made anew once this many rows went through it (see clear). */
const REMAKE_AFTER_ROWS = 10_000;

/** A source of the query, open, at the offset its next batch starts from. */
export interface OpenSource {
  readonly name: string;
  readonly reader: SourceReader;
  offset: SourceOffset;
}

/** What loading a batch's sources found. */
export interface LoadedBatch {
  /** Per source that had rows: what its reader loaded. */
  readonly loaded: ReadonlyMap<string, LoadStats>;
  /** Per source: rows below the watermark. */
  readonly late: ReadonlyMap<string, number>;
  /** Statements storing late rows (late_rows = 'keep'), run in the batch's transaction. */
  readonly keepLate: readonly string[];
  readonly eventMin: number | null;
  readonly eventMax: number | null;
}

export class SourceBatches {
  /** Where late rows are kept (late_rows = 'keep'), in the query's state database. */
  readonly lateRowsTable: string;
  /** Per source: the columns the plan reads (undefined: all). */
  private readonly readColumns = new Map<string, ReadonlySet<string> | undefined>();
  /** Per in-place source: the SELECT its batch view shows now. */
  private readonly inPlaceViews = new Map<string, string>();
  /** Per source: rows loaded into its batch table since the table was made. */
  private readonly rowsSinceMade = new Map<string, number>();

  /**
   * `inPlace`: the sources whose batches are read where their rows are stored (SourceReader.inPlace):
   * their batch relation is a view, made anew for each batch, not a table.
   */
  constructor(
    plan: IncrementalPlan,
    store: StateStore,
    private readonly query: string,
    private readonly sources: ReadonlyMap<string, InputObject>,
    private readonly inPlace: ReadonlySet<string>,
    private readonly keepLateRows: boolean,
  ) {
    this.lateRowsTable = store.table('late_rows');
    for (const source of sources.keys()) {
      const columns = plan.sourceColumns[source];
      this.readColumns.set(source, columns === null || columns === undefined ? undefined : new Set(columns));
    }
  }

  /** Creates the late rows' table (if new) and this connection's batch relations. */
  async setup(conn: Connection): Promise<void> {
    this.inPlaceViews.clear();
    await conn.run(`CREATE TABLE IF NOT EXISTS ${this.lateRowsTable} (query VARCHAR, source VARCHAR, batch BIGINT, source_offset VARCHAR, watermark TIMESTAMP, "row" JSON)`);
    this.rowsSinceMade.clear();
    for (const name of this.sources.keys()) await this.clear(conn, name);
  }

  /**
   * Loads each source's (offset, end] (`entry` is the batch's offsets/N, whose inputs skipped before
   * are skipped again); notes event times and late rows below `watermark`, the batch's.
   */
  async load(conn: Connection, batchId: number, open: readonly OpenSource[], ends: ReadonlyMap<string, SourceOffset>, watermark: number | null,
    entry: OffsetEntry, watermarks: WatermarkTracker): Promise<LoadedBatch> {
    const loaded = new Map<string, LoadStats>();
    const late = new Map<string, number>();
    const keepLate: string[] = [];
    let eventMin: number | null = null;
    let eventMax: number | null = null;
    for (const s of open) {
      const table = sourceBatchTable(s.name);
      const end = ends.get(s.name);
      // late_rows = 'keep' stores late rows whole, so then every column is loaded
      const columns = this.keepLateRows ? undefined : this.readColumns.get(s.name);
      let stats: LoadStats;
      if (s.reader.inPlace) {
        const rows = await s.reader.inPlace(s.offset, end, columns);
        await this.readInPlace(conn, s.name, rows.select);
        if (rows.rows === 0) continue;
        stats = { rows: rows.rows, badRows: 0, badRowExamples: [] };
      } else {
        await this.clear(conn, s.name);
        if (!s.reader.hasData(s.offset, end)) continue;
        stats = await s.reader.load(conn, table, s.offset, end, columns, entry.sources[s.name]?.skipped);
        this.rowsSinceMade.set(s.name, (this.rowsSinceMade.get(s.name) ?? 0) + stats.rows + stats.badRows);
      }
      loaded.set(s.name, stats);
      const times = await watermarks.observe(conn, s.name, table, watermark);
      if (times.min !== null) eventMin = eventMin === null ? times.min : Math.min(eventMin, times.min);
      if (times.max !== null) eventMax = eventMax === null ? times.max : Math.max(eventMax, times.max);
      late.set(s.name, times.late);
      const keepSql = this.keepLateRows ? this.keepLateRowsSql(s.name, batchId, end, times.late, watermark) : null;
      if (keepSql) keepLate.push(keepSql);
    }
    return { loaded, late, keepLate, eventMin, eventMax };
  }

  /**
   * Empties a source's batch table. DELETE leaves the rows behind as deleted rows, which later scans
   * step over and DuckDB's optimizer still counts (a small batch after a big one was planned as if it
   * were big), so once many rows were loaded since it was made the table is made anew instead; for
   * the small batches in between, DELETE is the cheaper statement. An in-place source's relation
   * becomes an empty view.
   */
  private async clear(conn: Connection, source: string): Promise<void> {
    if (this.inPlace.has(source)) {
      const columns = batchColumns(this.sources.get(source)!).map((c) => `NULL::${c.type} AS ${q(c.name)}`).join(', ');
      await this.readInPlace(conn, source, `SELECT ${columns} WHERE FALSE`);
      return;
    }
    const loaded = this.rowsSinceMade.get(source);
    if (loaded !== undefined && loaded < REMAKE_AFTER_ROWS) {
      await conn.run(`DELETE FROM ${sourceBatchTable(source)}`);
      return;
    }
    const columns = batchColumns(this.sources.get(source)!);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${sourceBatchTable(source)} (${columnDefs(columns)})`);
    this.rowsSinceMade.set(source, 0);
  }

  /**
   * Makes a source's batch relation the rows `select` reads where they are stored (an in-place
   * source). An idle source's range, and so its view, stays the same from batch to batch: not remade.
   */
  private async readInPlace(conn: Connection, source: string, select: string): Promise<void> {
    if (this.inPlaceViews.get(source) === select) return;
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${sourceBatchTable(source)} AS ${select}`);
    this.inPlaceViews.set(source, select);
  }

  /**
   * With `count` late rows in a source's batch table (event time below the watermark), the statement
   * that stores them, to run inside the batch's transaction; else null.
   */
  private keepLateRowsSql(source: string, batchId: number, offset: unknown, count: number, watermark: number | null): string | null {
    const object = this.sources.get(source);
    const def = object?.kind === 'source' ? object.watermark : null;
    if (!object || !def || count === 0) return null;
    const wm = watermarkSql(watermark);
    const late = lateRow(def.column, fieldType(object.columns, def.column), wm);
    return (
      `INSERT INTO ${this.lateRowsTable} SELECT ${quoteLiteral(this.query)}, ${quoteLiteral(source)}, ${batchId}, ${quoteLiteral(JSON.stringify(offset))}, ` +
      `make_timestamp(${wm}), to_json(s) FROM ${sourceBatchTable(source)} AS s WHERE ${late}`
    );
  }
}

