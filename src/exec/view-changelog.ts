/**
 * A materialized view read by another continuous query, as its changelog. While another query reads
 * it, the view's batches append their output changes to `__changes` in the view's state database,
 * numbered with the batch id, in the batch's transaction (QueryOutput.applySql); a reader's offset is
 * the last of the view's batches it read. Its first range, from -1, is the view's result as of the
 * range's end `e`: the result now with the changes after `e` undone (one multiset difference in the
 * reader's batch transaction, as for a table: connectors/table/changelog.ts). So the reader repeats
 * none of the view's plan or state, and re-reads the same rows when its batch runs again.
 */
import type { MaterializedViewObject } from '../catalog/types.js';
import { BEFORE_CONTENTS, changelogRangeSql } from '../connectors/changelog-range.js';
import type { SourceOffset, SourceReader } from '../connectors/types.js';
import { quoteIdent, type Connection, type Database } from '../duck/index.js';
import { EddyError } from '../util/errors.js';
import { queryDirName } from '../checkpoint/query-dir.js';

/** The table of a view's output changes, in its state database (unqualified). */
export const VIEW_CHANGES_TABLE = '__changes';

const BEFORE_RESULT = BEFORE_CONTENTS;

function batchNumber(offset: SourceOffset): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < BEFORE_RESULT) {
    throw new EddyError('INTERNAL', `a view offset must be a batch id, got ${JSON.stringify(offset)}`);
  }
  return offset;
}

export class ViewChangelogReader implements SourceReader {
  readonly initialOffset: SourceOffset = BEFORE_RESULT;
  private readonly result: string;
  private readonly changes: string;
  private readonly version: string;

  constructor(private readonly view: MaterializedViewObject, private readonly conn: Connection) {
    // the view's state database, attached by the view's own query (exec/state-store.ts)
    const alias = quoteIdent(`q_${queryDirName(view.name)}`);
    this.result = `${alias}.main.${quoteIdent('result')}`;
    this.changes = `${alias}.main.${quoteIdent(VIEW_CHANGES_TABLE)}`;
    this.version = `${alias}.main.${quoteIdent('__eddy_version')}`;
  }

  /** The view's last committed batch, -1 before its first. */
  async latestOffset(): Promise<SourceOffset> {
    try {
      return Number((await this.conn.scalar(`SELECT coalesce(max(batch_id), -1) FROM ${this.version}`)) ?? -1);
    } catch (e) {
      throw new EddyError('SOURCE_UNAVAILABLE', `materialized view "${this.view.name}" cannot be read: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The result comes in one batch; then up to maxRows of the view's batches per batch. */
  endOffset(start: SourceOffset, latest: SourceOffset, maxRows: number | undefined): SourceOffset {
    const from = batchNumber(start);
    const to = batchNumber(latest);
    if (to <= from || from === BEFORE_RESULT) return Math.max(from, to);
    return maxRows === undefined ? to : Math.min(to, from + Math.max(1, Math.floor(maxRows)));
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return batchNumber(end) > batchNumber(start);
  }

  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset): Promise<{ rows: number; badRows: number; badRowExamples: [] }> {
    const { select, rows } = await this.inPlace(start, end);
    if (rows > 0) await conn.run(`INSERT INTO ${target} ${select}`);
    return { rows, badRows: 0, badRowExamples: [] };
  }

  async inPlace(start: SourceOffset, end: SourceOffset): Promise<{ select: string; rows: number }> {
    const from = batchNumber(start);
    const to = Math.max(from, batchNumber(end));
    const list = this.view.columns.map((c) => quoteIdent(c.name)).join(', ');
    const select = changelogRangeSql({ current: this.result, changes: this.changes, position: '__batch', list, from, to });
    const rows = to === from ? 0 : Number((await this.conn.scalar(`SELECT count(*) FROM (${select})`)) ?? 0);
    return { select, rows };
  }

  describe(offset: SourceOffset): unknown {
    return { batch: offset };
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}

export async function openViewChangelog(view: MaterializedViewObject, db: Database): Promise<SourceReader> {
  return new ViewChangelogReader(view, await db.connect());
}
