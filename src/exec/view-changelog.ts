/**
 * A materialized view read by another continuous query, as its changelog. While another query reads
 * it, the view's batches append their output changes to `__changes` in the view's state database,
 * numbered with the batch id, in the batch's transaction (view-log.ts); a reader's offset is
 * the last of the view's batches it read. Its first range, from -1, is the view's result as of the
 * range's end `e`: the result now with the changes after `e` undone (one multiset difference in the
 * reader's batch transaction, as for a table: connectors/table/changelog.ts). So the reader repeats
 * none of the view's plan or state, and re-reads the same rows when its batch runs again.
 */
import type { MaterializedViewObject } from '../catalog/types.js';
import { ChangelogRangeReader } from '../connectors/changelog-range.js';
import type { SourceOffset, SourceReader } from '../connectors/types.js';
import { quoteIdent, type Connection, type Database } from '../duck/index.js';
import { EddyError } from '../util/errors.js';
import { queryDirName } from '../checkpoint/query-dir.js';
import { VIEW_BATCHES_TABLE, VIEW_CHANGES_TABLE } from './view-log.js';
import type { BatchFrontier, Frontier } from './epochs.js';

export class ViewChangelogReader extends ChangelogRangeReader {
  private readonly version: string;
  private readonly batches: string;

  constructor(private readonly view: MaterializedViewObject, conn: Connection) {
    // the view's state database, attached by the view's own query (exec/state-store.ts)
    const alias = quoteIdent(`q_${queryDirName(view.name)}`);
    super(conn, {
      what: 'a view offset must be a batch id',
      current: `${alias}.main.${quoteIdent('result')}`,
      changes: `${alias}.main.${quoteIdent(VIEW_CHANGES_TABLE)}`,
      position: '__batch',
      columns: view.columns,
    });
    this.version = `${alias}.main.${quoteIdent('__eddy_version')}`;
    this.batches = `${alias}.main.${quoteIdent(VIEW_BATCHES_TABLE)}`;
  }

  /** The view's last committed batch, -1 before its first. */
  async latestOffset(): Promise<SourceOffset> {
    try {
      return Number((await this.conn.scalar(`SELECT coalesce(max(batch_id), -1) FROM ${this.version}`)) ?? -1);
    } catch (e) {
      throw new EddyError('SOURCE_UNAVAILABLE', `materialized view "${this.view.name}" cannot be read: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * The frontiers (epochs.ts) of the view's batches in [from, to] that recorded one: those in its log,
   * and its last batch's.
   */
  async frontiers(from: number, to: number): Promise<Map<number, Frontier>> {
    const found = new Map<number, Frontier>();
    if (to < Math.max(from, 0)) return found;
    const rows = await this.conn.objects<{ b: bigint | number; f: string }>(
      `SELECT __batch AS b, frontier AS f FROM ${this.batches} WHERE __batch BETWEEN ${Math.max(from, 0)} AND ${to} AND frontier IS NOT NULL ` +
        `UNION ALL SELECT batch_id, frontier FROM ${this.version} WHERE batch_id BETWEEN ${Math.max(from, 0)} AND ${to} AND frontier IS NOT NULL`,
    );
    for (const row of rows) found.set(Number(row.b), (JSON.parse(row.f) as BatchFrontier).roots);
    return found;
  }

  /** The frontier of the view's batch `batch`, or null when it recorded none (or is no longer logged). */
  async frontierAt(batch: number): Promise<Frontier | null> {
    return (await this.frontiers(batch, batch)).get(batch) ?? null;
  }

  /** A view with no committed batch yet has no result to start from: the reader waits for one. */
  protected firstEnd(latest: number): number {
    return latest;
  }

  describe(offset: SourceOffset): unknown {
    return { batch: offset };
  }
}

export async function openViewChangelog(view: MaterializedViewObject, db: Database): Promise<SourceReader> {
  return new ViewChangelogReader(view, await db.connect());
}
