/**
 * A table's changelog: `__changes_<table>` in the main database, the table's columns plus `__seq`
 * (the number of the statement that made the change, from 1 without gaps) and `__op` (+1 a row
 * inserted, -1 a row deleted; an update is both). The DML that changes the table appends its changes
 * in the same DuckDB transaction (engine/table-dml.ts), so the changelog is exactly the table's
 * history since its first reader, and a range of it is a stable input a batch can re-read.
 *
 * A continuous query reads a table through a TableChangelogReader. Its offset is the last statement
 * it read; its first range, from offset -1, is the table's contents as of the range's end `e`: the
 * rows of the table now with the changes after `e` undone (read in one transaction, so consistent). That
 * range can be re-read after a crash as long as the changes after `e` are kept, which they are: DML
 * trims only what every reader has committed (engine/table-dml.ts), and the changelog is emptied only
 * when no query reads the table any more.
 */
import type { Column, TableObject } from '../../catalog/types.js';
import { quoteIdent, quoteQualified, type Connection } from '../../duck/index.js';
import { ChangelogRangeReader } from '../changelog-range.js';
import type { ConnectorEnv, SourceOffset, SourceReader } from '../types.js';

export const SEQ = '__seq';
export const OP = '__op';

/** Column names a table may not have: its changelog adds them. */
export const RESERVED_TABLE_COLUMNS: readonly string[] = [SEQ, OP];

/** The table holding a table's changes (unquoted). */
export function changelogTable(table: string): string {
  return `__changes_${table}`;
}


function columnDefs(columns: readonly Column[]): string {
  return columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
}

/**
 * The changelogs of one main database: their tables, and each table's last statement number once
 * known (statements on tables run one at a time, on the engine's queue).
 */
export class TableChangelogs {
  private readonly lastSeq = new Map<string, number>();
  /** Per table, the statement number up to which its changelog was trimmed by this process. */
  private readonly trimmedTo = new Map<string, number>();

  /** Creates a table's changelog if missing (idempotent: start-up makes those of older tables). */
  async create(conn: Connection, table: TableObject): Promise<void> {
    await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(changelogTable(table.name))} (${columnDefs(table.columns)}, ${SEQ} BIGINT NOT NULL, ${OP} INTEGER NOT NULL)`);
  }

  async drop(conn: Connection, name: string): Promise<void> {
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(changelogTable(name))}`);
    this.lastSeq.delete(name);
    this.trimmedTo.delete(name);
  }

  /** Empties a changelog no query reads any more: a new reader starts from the contents. */
  async clear(conn: Connection, name: string): Promise<void> {
    const table = quoteIdent(changelogTable(name));
    // a read first: start-up asks this of every table, and most changelogs are empty
    if (Number(await conn.scalar(`SELECT count(*) FROM (SELECT 1 FROM ${table} LIMIT 1)`)) === 0) return;
    await conn.run(`DELETE FROM ${table}`);
    this.lastSeq.set(name, 0);
    this.trimmedTo.delete(name);
  }

  /** The number the next statement's changes get. */
  async nextSequence(conn: Connection, name: string): Promise<number> {
    let last = this.lastSeq.get(name);
    if (last === undefined) {
      last = Number((await conn.scalar(`SELECT coalesce(max(${SEQ}), 0) FROM ${quoteIdent(changelogTable(name))}`)) ?? 0);
      this.lastSeq.set(name, last);
    }
    return last + 1;
  }

  /** A statement numbered `seq` committed its changes. */
  committed(name: string, seq: number): void {
    this.lastSeq.set(name, seq);
  }

  /** A statement failed: what was committed is read from the database next time. */
  forget(name: string): void {
    this.lastSeq.delete(name);
  }

  /**
   * The DELETE of a changelog's changes every reader has committed (up to `hold`), or null when an
   * earlier one did. The last statement's rows stay, so that the last number survives a restart.
   */
  trimSql(name: string, hold: number): { sql: string; upTo: number } | null {
    if (hold <= (this.trimmedTo.get(name) ?? 0)) return null;
    const table = quoteIdent(changelogTable(name));
    return { sql: `DELETE FROM ${table} WHERE ${SEQ} <= ${hold} AND ${SEQ} < (SELECT max(${SEQ}) FROM ${table})`, upTo: hold };
  }

  /** The changes up to `upTo` are gone (the trim committed). */
  trimmed(name: string, upTo: number): void {
    this.trimmedTo.set(name, upTo);
  }

  knownLastSequence(name: string): number | undefined {
    return this.lastSeq.get(name);
  }
}

const changelogs = new WeakMap<object, TableChangelogs>();

/** The changelogs of a main database (one per database, shared by the engine and readers). */
export function tableChangelogs(db: object): TableChangelogs {
  let store = changelogs.get(db);
  if (!store) {
    store = new TableChangelogs();
    changelogs.set(db, store);
  }
  return store;
}

/** Reads a table for one query: its contents first, then its changes (see the file's comment). */
export class TableChangelogReader extends ChangelogRangeReader {
  private latest = 0;

  /** `table` and `changes` are fully qualified, so that a query's connection finds them. */
  constructor(
    private readonly object: TableObject,
    table: string,
    private readonly changes: string,
    conn: Connection,
    private readonly store: TableChangelogs,
  ) {
    super(conn, { what: 'a table offset must be a statement number', current: table, changes, position: SEQ, columns: object.columns });
  }

  async latestOffset(): Promise<SourceOffset> {
    const known = this.store.knownLastSequence(this.object.name);
    if (known !== undefined) {
      this.latest = Math.max(this.latest, known);
      return this.latest;
    }
    const max = await this.conn.scalar(`SELECT max(${SEQ}) FROM ${this.changes} WHERE ${SEQ} > ${this.latest}`);
    if (max !== null && max !== undefined) this.latest = Number(max);
    return this.latest;
  }

  /** The contents are read even when no statement changed the table yet (statement 0). */
  protected firstEnd(latest: number): number {
    return Math.max(0, latest);
  }

  describe(offset: SourceOffset): unknown {
    return { statement: offset };
  }
}

/** Opens a reader of a table's changelog on a connection of its own. */
export async function openTableChangelog(table: TableObject, env: ConnectorEnv): Promise<SourceReader> {
  const conn = await env.db.connect();
  const catalog = String(await conn.scalar('SELECT current_database()'));
  return new TableChangelogReader(table, quoteQualified(catalog, 'main', table.name), quoteQualified(catalog, 'main', changelogTable(table.name)), conn, tableChangelogs(env.db));
}
