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
 * range can be re-read after a crash as long as the changes after `e` are kept, which they are: the
 * changelog is emptied only when no query reads the table any more.
 */
import type { Column, TableObject } from '../../catalog/types.js';
import { quoteIdent, quoteQualified, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import { BEFORE_CONTENTS, changelogRangeSql } from '../changelog-range.js';
import type { ConnectorEnv, LoadStats, SourceOffset, SourceReader } from '../types.js';

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

  /** Creates a table's changelog if missing (idempotent: start-up makes those of older tables). */
  async create(conn: Connection, table: TableObject): Promise<void> {
    await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(changelogTable(table.name))} (${columnDefs(table.columns)}, ${SEQ} BIGINT NOT NULL, ${OP} INTEGER NOT NULL)`);
  }

  async drop(conn: Connection, name: string): Promise<void> {
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(changelogTable(name))}`);
    this.lastSeq.delete(name);
  }

  /** Empties a changelog no query reads any more: a new reader starts from the contents. */
  async clear(conn: Connection, name: string): Promise<void> {
    await conn.run(`DELETE FROM ${quoteIdent(changelogTable(name))}`);
    this.lastSeq.set(name, 0);
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

function sequenceNumber(offset: SourceOffset): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < BEFORE_CONTENTS) {
    throw new EddyError('INTERNAL', `a table offset must be a statement number, got ${JSON.stringify(offset)}`);
  }
  return offset;
}

/** Reads a table for one query: its contents first, then its changes (see the file's comment). */
export class TableChangelogReader implements SourceReader {
  readonly initialOffset: SourceOffset = BEFORE_CONTENTS;
  private latest = 0;

  /** `table` and `changes` are fully qualified, so that a query's connection finds them. */
  constructor(
    private readonly object: TableObject,
    private readonly table: string,
    private readonly changes: string,
    private readonly conn: Connection,
    private readonly store: TableChangelogs,
  ) {}

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

  /** The contents come in one batch; then up to maxRows statements per batch (a statement's changes are never split). */
  endOffset(start: SourceOffset, latest: SourceOffset, maxRows: number | undefined): SourceOffset {
    const from = sequenceNumber(start);
    const to = Math.max(0, sequenceNumber(latest));
    if (from === BEFORE_CONTENTS) return to;
    if (to <= from) return from;
    return maxRows === undefined ? to : Math.min(to, from + Math.max(1, Math.floor(maxRows)));
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return sequenceNumber(end) > sequenceNumber(start);
  }

  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): Promise<LoadStats> {
    const { select, rows } = await this.inPlace(start, end, columns);
    if (rows === 0) return { rows: 0, badRows: 0, badRowExamples: [] };
    await conn.run(`INSERT INTO ${target} ${select}`);
    return { rows, badRows: 0, badRowExamples: [] };
  }

  /**
   * The rows of (start, end] with their weight in `__op`: the contents as of `end` when nothing was
   * read yet, else the changes of the statements in the range.
   */
  async inPlace(start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): Promise<{ select: string; rows: number }> {
    const from = sequenceNumber(start);
    const to = Math.max(from, sequenceNumber(end));
    const list = this.object.columns.map((c) => (columns && !columns.has(c.name) ? `NULL::${c.type} AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
    const select = changelogRangeSql({ current: this.table, changes: this.changes, position: SEQ, list, from, to });
    const rows = from !== BEFORE_CONTENTS && to === from ? 0 : Number((await this.conn.scalar(`SELECT count(*) FROM (${select})`)) ?? 0);
    return { select, rows };
  }

  describe(offset: SourceOffset): unknown {
    return { statement: offset };
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}

/** Opens a reader of a table's changelog on a connection of its own. */
export async function openTableChangelog(table: TableObject, env: ConnectorEnv): Promise<SourceReader> {
  const conn = await env.db.connect();
  const catalog = String(await conn.scalar('SELECT current_database()'));
  return new TableChangelogReader(table, quoteQualified(catalog, 'main', table.name), quoteQualified(catalog, 'main', changelogTable(table.name)), conn, tableChangelogs(env.db));
}
