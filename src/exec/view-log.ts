/**
 * A materialized view's log of its output changes, in its state database: `__changes` (batch id,
 * result columns, weight), appended in each batch's transaction, and `__changes_batches` (one row
 * per logged batch: when it committed and its changes' estimated size), which says which batches the
 * log covers and drives retention. Appended in batch order, so DuckDB's zone maps on `__batch` make
 * reading from batch k a scan of the rows after k.
 *
 * The log is kept while other queries read the view (view-changelog.ts), down to the oldest batch one
 * of them has not committed, and for subscribers within the view's retention
 * (catalog/view-retention.ts); when neither holds, it is emptied.
 */
import type { Column } from '../catalog/types.js';
import type { ViewRetention } from '../catalog/view-retention.js';
import type { Connection } from '../duck/index.js';
import { quoteIdent, quoteLiteral } from '../duck/quote.js';
import type { BatchFrontier } from './epochs.js';
import { EddyError } from '../util/errors.js';
import type { ChangeBatch, Change } from './changes.js';
import { columnDefs } from './operators/rule.js';
import type { StateStore } from './state-store.js';

const q = quoteIdent;

/** The table of a view's output changes, in its state database (unqualified). */
export const VIEW_CHANGES_TABLE = '__changes';
/** One row per logged batch (when it committed, its changes' size, its frontier), in the state database. */
export const VIEW_BATCHES_TABLE = '__changes_batches';

/** At most this many changes are replayed to one subscriber from the log; more must take a snapshot. */
export const MAX_REPLAYED_CHANGES = 1_000_000;

/**
 * What the view's readers need: null when no query reads its changes, else the last batch every
 * reader has committed (-1: some reader still needs the whole log).
 */
export type ReadersHold = () => number | null;

/** A resume point the log no longer (or never) covered: the client must take a snapshot. */
export class ResumeUnavailable extends EddyError {
  constructor(name: string, fromBatch: number, readonly oldest: number) {
    super('INVALID_PARAMETER', `cannot resume "${name}" from batch ${fromBatch}: the server keeps its changes from batch ${oldest} on`, {
      hint: 'subscribe again with a snapshot (and no from_batch); a view keeps a longer history WITH (retention_batches = N, retention_time = \'1 day\' or retention_bytes = \'1 GB\')',
    });
  }
}

const FIXED_WIDTH: Record<string, number> = {
  BOOLEAN: 1, TINYINT: 1, SMALLINT: 2, INTEGER: 4, INT: 4, BIGINT: 8, HUGEINT: 16, UTINYINT: 1, USMALLINT: 2, UINTEGER: 4, UBIGINT: 8,
  REAL: 4, FLOAT: 4, DOUBLE: 8, DATE: 4, TIME: 8, TIMESTAMP: 8, 'TIMESTAMP WITH TIME ZONE': 8, TIMESTAMPTZ: 8, INTERVAL: 16, UUID: 16,
};

/** An estimate of a column value's size in bytes, as SQL: its width, or the length of its text. */
function widthSql(column: Column): string {
  const type = column.type.toUpperCase();
  const fixed = FIXED_WIDTH[type] ?? (type.startsWith('DECIMAL') || type.startsWith('NUMERIC') ? 16 : undefined);
  if (fixed !== undefined) return String(fixed);
  const name = q(column.name);
  if (type === 'BLOB') return `coalesce(octet_length(${name}), 0)`;
  if (type === 'VARCHAR' || type === 'TEXT') return `coalesce(strlen(${name}), 0)`;
  return `coalesce(strlen(CAST(${name} AS VARCHAR)), 0)`;
}

export class ViewLog {
  readonly changes: string;
  private readonly batches: string;
  /** Whether the log may hold rows (unknown at start: assumed, so that one batch empties it if unneeded). */
  private logged = true;
  /** The oldest batch the log may hold, once a trim set it (a hint that spares a DELETE; never too high for long). */
  private oldest: number | null = null;

  constructor(
    private readonly view: string,
    store: StateStore,
    private readonly columns: readonly Column[],
    private readonly readersHold: ReadersHold,
    private readonly retention: ViewRetention | null,
  ) {
    this.changes = store.table(VIEW_CHANGES_TABLE);
    this.batches = store.table(VIEW_BATCHES_TABLE);
  }

  setupSql(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.changes} (__batch BIGINT, ${columnDefs(this.columns)}, __op INTEGER)`,
      `CREATE TABLE IF NOT EXISTS ${this.batches} (__batch BIGINT NOT NULL, committed_at TIMESTAMP NOT NULL, bytes BIGINT NOT NULL, frontier VARCHAR)`,
    ];
  }

  /**
   * The statements of batch `batchId` that log its changes (`select`: the changes with the result's
   * column names and `__op`) and trim what no reader and no retention bound keeps. They run in the
   * batch's transaction.
   */
  batchSql(batchId: number, select: string, frontier: BatchFrontier | null): string[] {
    const hold = this.readersHold();
    if (hold === null && this.retention === null) {
      const statements = this.logged ? [`DELETE FROM ${this.changes}`, `DELETE FROM ${this.batches}`] : [];
      this.logged = false;
      this.oldest = null;
      return statements;
    }
    this.logged = true;
    const recorded = frontier ? quoteLiteral(JSON.stringify(frontier)) : 'NULL';
    const statements = [
      `INSERT INTO ${this.changes} SELECT ${batchId}, * FROM (${select})`,
      this.retention?.bytes != null
        ? `INSERT INTO ${this.batches} SELECT ${batchId}, now()::TIMESTAMP, coalesce(sum(abs(__op) * (${this.columns.map(widthSql).join(' + ') || '0'})), 0), ${recorded} FROM (${select})`
        : `INSERT INTO ${this.batches} VALUES (${batchId}, now()::TIMESTAMP, 0, ${recorded})`,
    ];
    const keepFrom = this.keepFromSql(batchId, hold);
    if (keepFrom !== null) statements.push(`DELETE FROM ${this.changes} WHERE __batch < ${keepFrom}`, `DELETE FROM ${this.batches} WHERE __batch < ${keepFrom}`);
    return statements;
  }

  /** The first batch to keep, as SQL, or null when the log holds nothing older (no DELETE needed). */
  private keepFromSql(batchId: number, hold: number | null): string | null {
    const r = this.retention;
    const heldFrom = hold === null ? null : hold + 1;
    if (r === null || (r.ms === null && r.bytes === null)) {
      // every bound is known here: skip the DELETE when nothing is older
      const retainedFrom = r === null ? batchId + 1 : batchId - r.batches! + 1;
      const from = heldFrom === null ? retainedFrom : Math.min(heldFrom, retainedFrom);
      if (this.oldest !== null && this.oldest >= from) return null;
      this.oldest = from;
      return String(from);
    }
    // the most recent batch any configured bound excludes, plus one
    const bounds: string[] = [];
    if (r.batches !== null) bounds.push(String(batchId - r.batches + 1));
    if (r.ms !== null) bounds.push(`(SELECT coalesce(min(__batch), ${batchId}) FROM ${this.batches} WHERE committed_at >= now()::TIMESTAMP - INTERVAL ${r.ms} MILLISECOND)`);
    if (r.bytes !== null) {
      bounds.push(`(SELECT coalesce(min(__batch), ${batchId}) FROM (SELECT __batch, sum(bytes) OVER (ORDER BY __batch DESC) AS newer FROM ${this.batches}) WHERE newer <= ${r.bytes})`);
    }
    const retained = bounds.length === 1 ? bounds[0]! : `greatest(${bounds.join(', ')})`;
    return heldFrom === null ? retained : `least(${heldFrom}, ${retained})`;
  }

  /**
   * The logged changes of batches >= fromBatch, batch by batch, read on `conn` (under the query's batch
   * lock, so none is half written); ResumeUnavailable when the log does not reach back to fromBatch.
   */
  async since(conn: Connection, fromBatch: number, lastBatch: number): Promise<ChangeBatch[]> {
    const oldest = await conn.scalar(`SELECT min(__batch) FROM ${this.batches}`);
    if (oldest === null || oldest === undefined || fromBatch < Number(oldest)) {
      throw new ResumeUnavailable(this.view, fromBatch, oldest === null || oldest === undefined ? lastBatch + 1 : Number(oldest));
    }
    const range = `FROM ${this.changes} WHERE __batch >= ${fromBatch}`;
    const count = Number((await conn.scalar(`SELECT coalesce(sum(abs(__op)), 0) ${range}`)) ?? 0);
    if (count > MAX_REPLAYED_CHANGES) {
      throw new EddyError('LIMIT_EXCEEDED', `cannot resume "${this.view}" from batch ${fromBatch}: ${count} changes since, more than the ${MAX_REPLAYED_CHANGES} a resume replays`, {
        hint: 'subscribe again with a snapshot (and no from_batch)',
      });
    }
    const rows = await conn.objects<Record<string, unknown>>(`SELECT * ${range} ORDER BY __batch, __op`);
    const out: { batch: number; changes: Change[] }[] = [];
    for (const { __batch, __op, ...row } of rows) {
      const batch = Number(__batch);
      if (out.at(-1)?.batch !== batch) out.push({ batch, changes: [] });
      const changes = out.at(-1)!.changes;
      const weight = Number(__op);
      for (let i = 0; i < Math.abs(weight); i++) changes.push({ op: weight > 0 ? 'insert' : 'delete', row });
    }
    return out;
  }
}
