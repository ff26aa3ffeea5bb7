/**
 * Push sources: `CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP);` with no connector,
 * fed by `INSERT INTO clicks ...` and by HTTP. Rows are kept durably in the main database in
 * "__push_<name>" (the source's columns plus "__seq", numbered from 1 without gaps); a view named as
 * the source shows them to pull queries. The offset is the last sequence number delivered.
 *
 * Values are cast strictly unless the source has `casts = 'lenient'` (formats/casts.ts), and a NOT
 * NULL column takes no NULL: a row that breaks either is a BAD_INPUT_ROW error naming it and its
 * column, and nothing of the statement or request is appended.
 */
import { isKeyed, KEYED_COMMAND, KEYED_POSITION } from '../../catalog/keyed-source.js';
import type { Column, SourceObject } from '../../catalog/types.js';
import { duckErrorCode } from '../../duck/error-codes.js';
import { quoteIdent, quoteLiteral, quoteQualified, type Connection, type Database } from '../../duck/index.js';
import { storageFault, type StorageFault } from '../../duck/storage-fault.js';
import type { Options } from '../../sql/ast.js';
import { EddyError, type ErrorCode } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { checkStagedRows } from '../formats/bad-rows.js';
import { CASTS_VALUES, castValue, type Casts } from '../formats/casts.js';
import { jsonStagedColumn } from '../formats/json.js';
import { StagedRows, type StagingSpec } from '../formats/staged-rows.js';
import { opt, readOptions, toOptions } from '../options.js';
import type { ConnectorEnv, LoadStats, SourceConnector, SourceOffset, SourceReader } from '../types.js';
import { rowsJson } from './rows-json.js';

export const PUSH_CONNECTOR = 'push';

/** What pull queries see of a push source: every row, or for a keyed source the current row per key. */
function currentRowsSelect(source: SourceObject, table: string): string {
  if (!isKeyed(source)) return `SELECT ${columnList(source.columns)} FROM ${table}`;
  const key = source.primaryKey!.map(quoteIdent).join(', ');
  return `SELECT ${columnList(source.columns)} FROM ${table} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${SEQ} DESC) = 1 AND ${KEYED_COMMAND} > 0`;
}
const SEQ = '__seq';

/** The table holding a push source's rows. */
export function pushStorageTable(source: string): string {
  return `__push_${source}`;
}

function columnList(columns: readonly Column[]): string {
  return columns.map((c) => quoteIdent(c.name)).join(', ');
}

/**
 * The code of DuckDB's error on the rows of an INSERT (duck/error-codes.ts), but a value that does not
 * convert (DuckDB folds constant casts while describing) is a BAD_INPUT_ROW, as it is when appending.
 */
function insertErrorCode(message: string): ErrorCode {
  const code = duckErrorCode(message);
  if (code !== undefined && VALUE_DOES_NOT_CONVERT.has(code)) return 'BAD_INPUT_ROW';
  return code ?? 'QUERY_FAILED';
}

/** DuckDB's Conversion Errors about a value (not about a pair of types, CANNOT_COERCE). */
const VALUE_DOES_NOT_CONVERT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['INVALID_TEXT_REPRESENTATION', 'NUMERIC_OUT_OF_RANGE', 'DATETIME_OUT_OF_RANGE', 'INVALID_DATETIME_FORMAT']);

/** Whether a query column's type (as DuckDB describes it) is a source column's declared type. */
function sameType(described: string, declared: string): boolean {
  return described.trim().toUpperCase() === declared.trim().toUpperCase();
}

const optionShape = { casts: opt.oneOf(CASTS_VALUES).optional() };

export function castsOf(source: SourceObject): Casts {
  return source.options.casts === 'lenient' ? 'lenient' : 'strict';
}

/**
 * An append whose INSERT failed on a storage fault: DuckDB's error does not say for sure whether the
 * rows are on disk (a COMMIT can fail after its WAL write went through), so the append's outcome is
 * read back after the database is reopened: its rows, had they been stored, are numbered
 * `after + 1 ...` (appendedAfter), and nothing else can be appended to the source meanwhile.
 */
export class PushAppendInDoubt extends EddyError {
  constructor(
    readonly source: string,
    /** The source's last sequence number before the append. */
    readonly after: number,
    /** The rows the append carried, when known before the INSERT ran (null: an INSERT ... SELECT). */
    readonly expected: number | null,
    readonly fault: StorageFault,
    cause: unknown,
  ) {
    super('STORAGE_UNAVAILABLE', `source "${source}": the data directory cannot be written for now (${fault.reason}), and whether the rows were stored is not known yet`, {
      cause,
      hint: 'check the source (rows are numbered) before sending them again',
    });
  }
}

/** The rows of a source numbered after `after`: what an append that was in doubt stored (PushAppendInDoubt). */
export async function appendedAfter(conn: Connection, source: string, after: number): Promise<number> {
  return Number((await conn.scalar(`SELECT count(*) FROM ${quoteIdent(pushStorageTable(source))} WHERE ${SEQ} > ${after}`)) ?? 0);
}

const stores = new WeakMap<Database, PushSourceStore>();

/** The push-source storage of a main database (one per database, shared by the engine and readers). */
export function pushSourceStore(db: Database): PushSourceStore {
  let store = stores.get(db);
  if (!store) {
    store = new PushSourceStore();
    stores.set(db, store);
  }
  return store;
}

/**
 * The storage of all push sources of one main database. The engine keeps one: appends to a source are
 * serialised here, so sequence numbers are gapless and become visible in order.
 */
export class PushSourceStore {
  /** Per source: the tail of its chain of appends, and its last sequence number once known. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly lastSeq = new Map<string, number>();

  /** Creates the storage table and the view (idempotent: replaying the DDL log finds them there). */
  async create(conn: Connection, source: SourceObject): Promise<void> {
    const table = quoteIdent(pushStorageTable(source.name));
    // NOT NULL in the table too: an INSERT whose query has the column types is appended without
    // staging, and the constraint is what refuses its NULLs there
    const columns = source.columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
    // a keyed source's rows are commands: +1 the key's row is now this one, -1 it is deleted
    const command = isKeyed(source) ? [`${KEYED_COMMAND} INTEGER NOT NULL DEFAULT 1`] : [];
    try {
      await conn.run(`CREATE TABLE IF NOT EXISTS ${table} (${[...columns, `${SEQ} BIGINT NOT NULL`, ...command].join(', ')})`);
      await conn.run(`CREATE OR REPLACE VIEW ${quoteIdent(source.name)} AS ${currentRowsSelect(source, table)}`);
    } catch (e) {
      throw new EddyError('QUERY_FAILED', `source "${source.name}": cannot create its storage: ${(e as Error).message}`, { cause: e });
    }
    this.lastSeq.delete(source.name);
  }

  /**
   * DELETE FROM a keyed source [AS alias] [WHERE ...]: appends a deleting command for the key of
   * every current row the condition selects (the row as it was, so NOT NULL columns keep values).
   * Returns how many.
   */
  async deleteRows(conn: Connection, source: SourceObject, alias: string | null, where: string | null): Promise<number> {
    const view = alias === null ? quoteIdent(source.name) : `${quoteIdent(source.name)} AS ${quoteIdent(alias)}`;
    const condition = where === null ? '' : ` WHERE (\n${where}\n)`;
    return this.serialised(source.name, async () => {
      const last = await this.lastSequence(conn, source.name);
      let rows: number;
      try {
        // the WHERE is a client's text: through the one-statement door, as every client's SQL
        const { rows: count } = await conn.queryOne(`INSERT INTO ${quoteIdent(pushStorageTable(source.name))} (${columnList(source.columns)}, ${SEQ}, ${KEYED_COMMAND}) ` +
          `SELECT *, ${last} + row_number() OVER (), -1 FROM (SELECT * FROM ${view}${condition})`, ['insert'], `DELETE FROM ${source.name}`);
        rows = Number(count[0]?.[0] ?? 0);
      } catch (e) {
        this.lastSeq.delete(source.name);
        throw new EddyError(duckErrorCode((e as Error).message) ?? 'QUERY_FAILED', `DELETE FROM ${source.name}: ${(e as Error).message}`, { cause: e });
      }
      this.lastSeq.set(source.name, last + rows);
      return rows;
    });
  }

  async drop(conn: Connection, name: string): Promise<void> {
    await this.serialised(name, async () => {
      await conn.run(`DROP VIEW IF EXISTS ${quoteIdent(name)}`);
      await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(pushStorageTable(name))}`);
      this.lastSeq.delete(name);
    });
  }

  /**
   * INSERT INTO source [(columns)] <body>, body being `VALUES ...` or a query. Values are cast to the
   * column types; a value that does not cast (or not exactly, formats/casts.ts), or a NULL in a NOT NULL
   * column, is a BAD_INPUT_ROW error naming the source, row and column, and nothing is appended.
   * Returns the number of rows appended.
   */
  async insert(conn: Connection, source: SourceObject, columns: readonly string[] | null, body: string): Promise<{ rows: number }> {
    const targets = this.targetColumns(source, columns);
    let described;
    try {
      // The body is a client's text placed inside Eddy's statements: it must be one SELECT (or VALUES)
      // on its own, and it goes on lines of its own so that a trailing -- comment ends with it.
      await conn.checkSingle(body, `the rows of INSERT INTO ${source.name}`);
      body = `\n${body}\n`;
      described = await conn.describe(`SELECT * FROM (${body})`);
    } catch (e) {
      const message = (e as Error).message;
      const code = e instanceof EddyError ? e.code : insertErrorCode(message);
      throw new EddyError(code, `INSERT INTO ${source.name}: ${message}`, { cause: e, hint: e instanceof EddyError ? e.hint : undefined });
    }
    if (described.length !== targets.length) {
      throw new EddyError('SYNTAX_ERROR', `INSERT INTO ${source.name}: ${targets.length} column${targets.length === 1 ? '' : 's'} but ${described.length} value${described.length === 1 ? '' : 's'} per row`);
    }
    const aliases = targets.map((_, i) => `__c${i}`);
    const aliased = `(${body}) AS __v(${aliases.join(', ')})`;
    const typeOf = (name: string) => source.columns.find((c) => c.name === name)!.type;
    if (described.every((d, i) => sameType(d.type, typeOf(targets[i]!)))) {
      try {
        return await this.appendTyped(conn, source, targets, aliased);
      } catch (e) {
        // a NULL in a NOT NULL column: staged below, which finds the row to name
        if (!isNotNullViolation(e)) throw e;
      }
    }
    const from = `(SELECT NULL::VARCHAR AS __file, row_number() OVER () AS __line, NULL::VARCHAR AS __row_error, *
      FROM ${aliased})`;
    const casts = castsOf(source);
    const staged: StagingSpec = {
      from,
      columns: source.columns.map((column) => {
        const i = targets.indexOf(column.name);
        return i < 0 ? { column, raw: 'NULL', value: `NULL::${column.type}` } : castValue(column, `__c${i}`, described[i]!.type, casts);
      }),
    };
    return this.append(conn, source, staged, 'row');
  }

  /**
   * Appends rows given as objects (HTTP): keys are column names, values JSON values cast to the
   * column types. A bad value or an unknown key is a BAD_INPUT_ROW error naming the row index (0-based)
   * and column, and nothing is appended.
   */
  async appendRows(conn: Connection, source: SourceObject, rows: readonly Record<string, unknown>[]): Promise<{ rows: number }> {
    if (!Array.isArray(rows)) throw new EddyError('BAD_INPUT_ROW', `source "${source.name}": expected an array of rows`);
    if (rows.length === 0) return { rows: 0 };
    const json = rowsJson(source, rows, castsOf(source));
    const names = `[${source.columns.map((c) => quoteLiteral(c.name)).join(', ')}]`;
    const unknownKeys = `list_filter(json_keys(value), k -> NOT list_contains(${names}, k))`;
    const from = `(SELECT NULL::VARCHAR AS __file, key::BIGINT AS __line,
        CASE WHEN json_type(value) <> 'OBJECT' THEN 'expected a JSON object, found ' || lower(json_type(value))
             WHEN len(${unknownKeys}) > 0 THEN 'unknown column "' || ${unknownKeys}[1] || '"' END AS __row_error,
        value AS __j
      FROM json_each(${quoteLiteral(json)}::JSON))`;
    const casts = castsOf(source);
    return this.append(conn, source, { from, columns: source.columns.map((c) => jsonStagedColumn('__j', c, casts)) }, 'row index');
  }

  private targetColumns(source: SourceObject, columns: readonly string[] | null): string[] {
    if (columns === null) return source.columns.map((c) => c.name);
    const seen = new Set<string>();
    for (const name of columns) {
      if (!source.columns.some((c) => c.name === name)) {
        throw new EddyError('UNDEFINED_COLUMN', `INSERT INTO ${source.name}: source "${source.name}" has no column "${name}"`, {
          hint: `its columns are ${source.columns.map((c) => c.name).join(', ')}`,
        });
      }
      if (seen.has(name)) throw new EddyError('SYNTAX_ERROR', `INSERT INTO ${source.name}: column "${name}" is named twice`);
      seen.add(name);
    }
    return [...columns];
  }

  private async append(conn: Connection, source: SourceObject, spec: StagingSpec, unit: 'row' | 'row index'): Promise<{ rows: number }> {
    return this.serialised(source.name, async () => {
      const staged = await StagedRows.create(conn, spec);
      try {
        const stats = await checkStagedRows(staged, source.name, 'fail', unit);
        if (stats.rows === 0) return { rows: 0 };
        const select = (last: number) => staged.goodRowsSelect([`${last} + row_number() OVER (ORDER BY __line)`]);
        return { rows: await this.insertNumbered(conn, source, select, stats.rows) };
      } finally {
        // A temp table only this connection sees: left behind, it goes with the connection. Its
        // DROP must never turn an append's outcome (stored, or in doubt) into another error.
        await staged.drop().catch((e: unknown) => log.debug({ source: source.name, err: (e as Error).message }, 'staging table not dropped'));
      }
    });
  }

  /**
   * Appends the rows of `from` (columns `__c<i>` for `targets[i]`, already of the target types: no
   * value can fail its cast, so there is nothing to stage and check) in one statement. INSERT ...
   * SELECT of 1M rows of seven columns: 1.5-1.65 -> 0.67-0.78 s (staging converts every value to text
   * to locate a bad one).
   */
  private async appendTyped(conn: Connection, source: SourceObject, targets: readonly string[], from: string): Promise<{ rows: number }> {
    return this.serialised(source.name, async () => {
      const values = source.columns.map((c) => {
        const i = targets.indexOf(c.name);
        return i < 0 ? `NULL::${c.type}` : `__c${i}`;
      });
      return { rows: await this.insertNumbered(conn, source, (last) => `SELECT ${values.join(', ')}, ${last} + row_number() OVER () FROM ${from}`, null) };
    });
  }

  /**
   * INSERTs `select(last)` (the source's columns, then sequence numbers from last + 1) into the
   * source's storage, inside its serialised chain; returns the rows appended. `expected`: the rows
   * the append carries, when known.
   */
  private async insertNumbered(conn: Connection, source: SourceObject, select: (last: number) => string, expected: number | null): Promise<number> {
    const last = await this.lastSequence(conn, source.name);
    let rows: number;
    try {
      rows = await conn.runCount(`INSERT INTO ${quoteIdent(pushStorageTable(source.name))} (${columnList(source.columns)}, ${SEQ}) ${select(last)}`);
    } catch (e) {
      const fault = storageFault(e);
      // the sequence is no longer known: the next append reads it from what the database holds
      this.lastSeq.delete(source.name);
      if (!fault) throw new EddyError('QUERY_FAILED', `source "${source.name}": cannot append rows: ${(e as Error).message}`, { cause: e });
      if (fault.kind === 'invalidated') throw new PushAppendInDoubt(source.name, last, expected, fault, e);
      rows = await this.settleOnOpenDatabase(conn, source.name, last, expected, fault, e);
    }
    this.lastSeq.set(source.name, last + rows);
    return rows;
  }

  /**
   * An INSERT failed on a storage fault but the database is still open: DuckDB rolled the
   * transaction back, or committed it and failed afterwards. The rows numbered after `last` say which
   * (none can have been appended meanwhile: appends to a source are serialised here).
   */
  private async settleOnOpenDatabase(conn: Connection, name: string, last: number, expected: number | null, fault: StorageFault, cause: unknown): Promise<number> {
    let stored: number;
    try {
      stored = await appendedAfter(conn, name, last);
    } catch (e) {
      throw new PushAppendInDoubt(name, last, expected, storageFault(e) ?? fault, cause);
    }
    if (stored === 0) {
      throw new EddyError('STORAGE_UNAVAILABLE', `source "${name}": the data directory cannot be written for now (${fault.reason}); the rows were not stored`, { cause, hint: 'send them again later' });
    }
    if (expected !== null && stored !== expected) {
      throw new EddyError('INTERNAL', `source "${name}": an append of ${expected} rows whose write failed left ${stored} rows after sequence number ${last}`, { cause });
    }
    log.warn({ source: name, rows: stored, reason: fault.reason }, 'an append whose write reported a failure was stored: answering success');
    this.lastSeq.set(name, last + stored);
    return stored;
  }

  /** The last sequence number appended to a source, when known without a query (after an append). */
  knownLastSequence(name: string): number | undefined {
    return this.lastSeq.get(name);
  }

  private async lastSequence(conn: Connection, name: string): Promise<number> {
    const known = this.lastSeq.get(name);
    if (known !== undefined) return known;
    const last = Number((await conn.scalar(`SELECT coalesce(max(${SEQ}), 0) FROM ${quoteIdent(pushStorageTable(name))}`)) ?? 0);
    this.lastSeq.set(name, last);
    return last;
  }

  private serialised<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(name) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return run;
  }
}

function isNotNullViolation(e: unknown): boolean {
  const cause = e instanceof EddyError ? e.cause : e;
  return cause instanceof Error && duckErrorCode(cause.message) === 'NOT_NULL_VIOLATION';
}

function sequenceNumber(offset: SourceOffset): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new EddyError('INTERNAL', `a push source offset must be a sequence number, got ${JSON.stringify(offset)}`);
  }
  return offset;
}

export class PushSourceReader implements SourceReader {
  readonly initialOffset: SourceOffset = 0;
  private latest = 0;

  /** `table` is the storage table, fully qualified so that a query's connection finds it. */
  constructor(
    private readonly source: SourceObject,
    private readonly table: string,
    private readonly conn: Connection,
    private readonly store: PushSourceStore,
  ) {}

  async latestOffset(): Promise<SourceOffset> {
    // Appends through this process record their last number: no query needed (one per trigger).
    const known = this.store.knownLastSequence(this.source.name);
    if (known !== undefined) {
      this.latest = Math.max(this.latest, known);
      return this.latest;
    }
    // the filter lets DuckDB skip the row groups already seen (zone maps)
    const max = await this.conn.scalar(`SELECT max(${SEQ}) FROM ${this.table} WHERE ${SEQ} > ${this.latest}`);
    if (max !== null && max !== undefined) this.latest = Number(max);
    return this.latest;
  }

  endOffset(start: SourceOffset, latest: SourceOffset, maxRows: number | undefined): SourceOffset {
    const from = sequenceNumber(start);
    const to = sequenceNumber(latest);
    if (to <= from) return from;
    return maxRows === undefined ? to : Math.min(to, from + Math.max(1, Math.floor(maxRows)));
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return sequenceNumber(end) > sequenceNumber(start);
  }

  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): Promise<LoadStats> {
    const { select, rows } = this.inPlace(start, end, columns);
    if (rows === 0) return { rows: 0, badRows: 0, badRowExamples: [] };
    try {
      await conn.run(`INSERT INTO ${target} ${select}`);
    } catch (e) {
      throw new EddyError('QUERY_FAILED', `source "${this.source.name}": cannot read rows ${sequenceNumber(start) + 1}..${sequenceNumber(end)}: ${(e as Error).message}`, { cause: e });
    }
    return { rows, badRows: 0, badRowExamples: [] };
  }

  /**
   * Stored rows never change, so a batch reads them in place: re-reading (start, end] gives the same
   * rows. The zone maps of the sequence column let a scan skip the row groups outside the range.
   */
  inPlace(start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): { select: string; rows: number } {
    const from = sequenceNumber(start);
    const to = Math.max(from, sequenceNumber(end));
    // a column no query reads is not read (a typed NULL costs nothing)
    const read = this.source.columns.map((c) => (columns && !columns.has(c.name) ? `NULL::${c.type} AS ${quoteIdent(c.name)}` : quoteIdent(c.name)));
    const list = (isKeyed(this.source) ? [...read, KEYED_COMMAND, `${SEQ} AS ${KEYED_POSITION}`] : read).join(', ');
    return { select: `SELECT ${list} FROM ${this.table} WHERE ${SEQ} > ${from} AND ${SEQ} <= ${to}`, rows: to - from };
  }

  describe(offset: SourceOffset): unknown {
    return { sequence: offset };
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}

export const pushSource: SourceConnector = {
  kind: 'source',
  name: PUSH_CONNECTOR,

  async validate(name: string, columns: readonly Column[] | null, options: Options, _env: ConnectorEnv) {
    if (columns === null || columns.length === 0) {
      throw new EddyError('INVALID_PARAMETER', `source "${name}": a source without a connector needs a column list`, {
        hint: "declare its columns, e.g. CREATE SOURCE clicks (user_id BIGINT, url VARCHAR), or add WITH (connector = '...')",
      });
    }
    if (columns.some((c) => c.name === SEQ)) {
      throw new EddyError('INVALID_PARAMETER', `source "${name}": the column name "${SEQ}" is reserved`);
    }
    const o = readOptions({ objectKind: 'source', objectName: name, connector: PUSH_CONNECTOR }, optionShape, options);
    return { columns: columns.map((c) => ({ ...c })), options: toOptions({ casts: o.casts === 'lenient' ? 'lenient' : undefined }) };
  },

  async open(source: SourceObject, env: ConnectorEnv): Promise<SourceReader> {
    const conn = await env.db.connect();
    const catalog = String(await conn.scalar('SELECT current_database()'));
    return new PushSourceReader(source, quoteQualified(catalog, 'main', pushStorageTable(source.name)), conn, pushSourceStore(env.db));
  },
};
