import { availableParallelism } from 'node:os';
import { sep } from 'node:path';
import { segments } from './lexer.js';
import { RowStream } from './row-stream.js';
import { quoteLiteral } from './quote.js';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBMaterializedResult, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { EddyError } from '../util/errors.js';
import { statementProfile } from './statement-profile.js';
import { WorkerThreads } from './worker-threads.js';
import { fromDuckValue } from './values.js';

/** How the DuckDB instance runs: tuning, with defaults fit for most machines (the CLI reads EDDY_DUCKDB_*). */
export interface DatabaseTuning {
  /** Pins DuckDB's worker threads (see Database.open); unset, they adapt to the work. */
  readonly threads?: number | undefined;
  /** Unpinned threads: how long after bulk work they stay up, ms (WorkerThreads; default 1000). */
  readonly threadsQuietMs?: number | undefined;
  /**
   * DuckDB's WAL size that triggers an automatic checkpoint (`checkpoint_threshold`, e.g. '64KB';
   * DuckDB's default 16MB). Tests lower it so that a storage fault meets a checkpoint, which is what
   * invalidates a database.
   */
  readonly checkpointThreshold?: string | undefined;
}

export interface DatabaseOptions extends DatabaseTuning {
  /**
   * When given, DuckDB may touch no file outside these directories (and its own database and temp
   * files): read_csv, read_text, COPY, ATTACH, INSTALL and the rest are refused elsewhere, for Eddy's
   * statements and a client's alike. Cannot be widened while the database is open.
   */
  readonly allowedDirectories?: readonly string[];
  /**
   * Opens the file read-only (DuckDB replays its WAL in memory and writes nothing): what the file
   * holds can be read while its storage refuses writes.
   */
  readonly readOnly?: boolean;
}

/** A column of a result: its name and its DuckDB type as DuckDB spells it (`BIGINT`, `DECIMAL(10,2)`). */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * The kinds of statement Eddy hands to DuckDB as a client wrote them (a pull query, a table's DML or
 * CREATE TABLE), as DuckDB's parser classifies them.
 */
export type ClientStatementKind = 'select' | 'insert' | 'update' | 'delete' | 'create';

const CLIENT_KINDS: ReadonlyMap<StatementType, ClientStatementKind> = new Map([
  [StatementType.SELECT, 'select'],
  [StatementType.INSERT, 'insert'],
  [StatementType.UPDATE, 'update'],
  [StatementType.DELETE, 'delete'],
  [StatementType.CREATE, 'create'],
]);

/** The words a statement of each kind may begin with, as DuckDB's grammar has them. */
const STARTS: Readonly<Record<ClientStatementKind, readonly string[]>> = {
  select: ['SELECT', 'WITH', 'VALUES', 'TABLE', 'FROM', '(', 'DESCRIBE'],
  insert: ['INSERT', 'WITH'],
  update: ['UPDATE', 'WITH'],
  delete: ['DELETE', 'WITH'],
  create: ['CREATE'],
};

/** The first word (or punctuation) of a statement outside comments, upper-cased. */
function firstWord(sql: string): string {
  for (const seg of segments(sql)) {
    if (seg.kind === 'code') return sql.slice(seg.start, seg.end).toUpperCase();
    if (seg.kind !== 'space' && seg.kind !== 'line_comment' && seg.kind !== 'block_comment') return '';
  }
  return '';
}

/** A fully read result: columns and rows of plain JS values (see values.ts for the mapping). */
export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly unknown[][];
}

/**
 * One DuckDB database (a file or ':memory:'). Eddy keeps one per process; each StreamingQuery
 * attaches its own state file and uses its own connection.
 */
export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly path: string,
    /** The worker threads, adapted to the work unless pinned (worker-threads.ts). */
    readonly threads: WorkerThreads,
  ) {}

  /**
   * `threads` pins DuckDB's worker threads; unpinned, there is one per
   * core while bulk work runs and one while only small micro-batches do (WorkerThreads). (Measured
   * on two cores: one thread makes small batches 15-30% faster, but a file source's JSON parsing and
   * Parquet writing take 1.7x as long: docs/BENCHMARKS.md, "Threads".)
   */
  static async open(path: string, options: DatabaseOptions = {}): Promise<Database> {
    let instance: DuckDBInstance;
    const pinned = options.threads;
    const threads = pinned ?? availableParallelism();
    try {
      instance = await DuckDBInstance.create(path, {
        threads: String(threads),
        ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
        ...(options.checkpointThreshold ? { checkpoint_threshold: options.checkpointThreshold } : {}),
      });
    } catch (e) {
      throw new EddyError('IO_ERROR', `cannot open DuckDB database ${path}: ${(e as Error).message}`, { cause: e });
    }
    if (options.allowedDirectories) {
      try {
        await confineFileAccess(instance, options.allowedDirectories);
      } catch (e) {
        instance.closeSync();
        throw new EddyError('IO_ERROR', `cannot confine DuckDB's file access to ${options.allowedDirectories.join(', ')}: ${(e as Error).message}`, { cause: e });
      }
    }
    return new Database(instance, path, new WorkerThreads(threads, pinned === undefined, options.threadsQuietMs));
  }

  async connect(): Promise<Connection> {
    return new Connection(await this.instance.connect());
  }

  close(): void {
    this.instance.closeSync();
  }
}

/** A DuckDB connection. Statements on one connection run one at a time. */
export class Connection {
  /**
   * Set by transaction(): BEGIN goes in front of the transaction's first statement, in the same call
   * (a call of its own cost about 0.2 ms, a twentieth of a one-row batch).
   */
  private beginPending = false;
  private inTransaction = false;

  constructor(readonly raw: DuckDBConnection) {}

  /** Runs a statement (or several separated by `;`) and discards any result. */
  async run(sql: string): Promise<void> {
    await this.exec(sql);
  }

  /** Runs an INSERT, UPDATE or DELETE and returns how many rows it changed. */
  async runCount(sql: string): Promise<number> {
    return Number((await this.scalar(sql)) ?? 0);
  }

  /**
   * Runs statements one after another, in one call: a call of its own costs ~0.1 ms beyond the
   * statement (measured: 30 small statements 12.8 -> 10.6 ms). While statements are profiled they
   * run one call each, so that each is timed under its own shape.
   */
  async runAll(statements: readonly string[]): Promise<void> {
    if (statements.length === 0) return;
    if (!statementProfile()) {
      await this.exec(statements.join(';\n'));
      return;
    }
    for (const sql of statements) await this.exec(sql);
  }

  /** Runs statements and then a query, in one call as runAll does; returns the query's result. */
  async runAllThenQuery(statements: readonly string[], last: string): Promise<QueryResult> {
    if (statementProfile()) {
      await this.runAll(statements);
      return this.query(last);
    }
    return this.query([...statements, last].join(';\n'));
  }

  /** Runs a query and reads its whole result. */
  async query(sql: string): Promise<QueryResult> {
    const profile = statementProfile();
    const started = profile ? performance.now() : 0;
    // with BEGIN in front, the call's result is still the statement's (DuckDB returns the last one)
    const reader: DuckDBMaterializedResult = await this.raw.run(this.withBegin(sql));
    const result = await readAll(reader);
    profile?.record(sql, performance.now() - started);
    return result;
  }

  /** Runs a query and returns its rows as objects keyed by column name. */
  async objects<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const { columns, rows } = await this.query(sql);
    return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])) as T);
  }

  /** Runs a query that returns one value (or none: undefined). */
  async scalar<T = unknown>(sql: string): Promise<T | undefined> {
    const { rows } = await this.query(sql);
    return rows[0]?.[0] as T | undefined;
  }

  /**
   * Runs a query of Eddy's whose values ($1, $2, ...) are bound, not spliced into its text: for a
   * client's text as a value, which may hold anything a literal cannot (a NUL ends DuckDB's reading
   * of a statement's text, so `'a<NUL>b'` would leave the literal open).
   */
  async scalarBound<T = unknown>(sql: string, values: readonly string[]): Promise<T | undefined> {
    if (this.beginPending) await this.exec('SELECT 1'); // the pending BEGIN rides with it
    const { rows } = await readAll(await this.raw.run(sql, [...values]));
    return rows[0]?.[0] as T | undefined;
  }

  /**
   * The column names and types a query would produce, without running it (DuckDB's binder checks it).
   * The query is often built from a client's expressions, so it must stay one statement.
   */
  async describe(sql: string): Promise<ResultColumn[]> {
    const { rows } = await this.queryOne(`DESCRIBE ${sql}`, ['select'], 'a query');
    return rows.map((r) => ({ name: String(r[0]), type: String(r[1]) }));
  }

  /**
   * Parses `sql` with DuckDB's own parser and prepares its statement. Text a client wrote reaches
   * DuckDB only through here: it must be exactly one statement (DuckDB runs every statement of a
   * string, so a second one hidden from Eddy's lexer would run unseen) of one of the `allowed` kinds.
   * `what` names the text in errors ("the query", "INSERT INTO t").
   */
  async prepareOne(sql: string, allowed: readonly ClientStatementKind[], what: string): Promise<DuckDBPreparedStatement> {
    const extracted = await this.extractOne(sql, what);
    // Preparing binds, and binding some statements already acts (EXPORT DATABASE makes its directory):
    // the statement's first word must allow an allowed kind before DuckDB binds it.
    const first = firstWord(sql);
    if (!allowed.some((kind) => STARTS[kind].includes(first))) {
      throw new EddyError('INSUFFICIENT_PRIVILEGE', `${what} must be ${allowed.map((k) => k.toUpperCase()).join(' or ')}, but it begins with ${first || 'nothing'}`);
    }
    const prepared = await extracted.prepare(0);
    const type = prepared.statementType;
    const kind = CLIENT_KINDS.get(type);
    if (kind === undefined || !allowed.includes(kind)) {
      prepared.destroySync();
      throw new EddyError('INSUFFICIENT_PRIVILEGE', `${what} must be ${allowed.map((k) => k.toUpperCase()).join(' or ')}, but DuckDB reads it as ${StatementType[type] ?? 'another statement'}`);
    }
    return prepared;
  }

  /**
   * Checks that a client's text is one statement for DuckDB's parser, without binding or running it:
   * for text that Eddy places inside a statement of its own (the rows of an INSERT into a source).
   */
  async checkSingle(sql: string, what: string): Promise<void> {
    await this.extractOne(sql, what);
  }

  private async extractOne(sql: string, what: string) {
    // DuckDB reads a string only up to a NUL, so text past one would be seen by Eddy alone
    if (sql.includes('\0')) throw new EddyError('SYNTAX_ERROR', `${what} holds a NUL character`, { hint: 'SQL text cannot contain NUL (0x00) bytes' });
    let extracted;
    try {
      extracted = await this.raw.extractStatements(sql);
    } catch (e) {
      throw duckParseError(e, sql);
    }
    if (extracted.count !== 1) {
      throw new EddyError('SYNTAX_ERROR', `${what} must be one statement, but DuckDB reads ${extracted.count} statements in it`, {
        hint: 'send statements one at a time; check for a comment or quote that ends earlier than intended (a -- comment ends at a carriage return too)',
      });
    }
    return extracted;
  }

  /**
   * Runs one statement a client wrote (see prepareOne) as a stream of its rows. `release` runs once
   * when the connection is free again: the stream ended, failed or was closed, or it never started.
   */
  async streamOne(sql: string, allowed: readonly ClientStatementKind[], what: string, options: { signal?: AbortSignal; release: () => void }): Promise<RowStream> {
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await this.prepareOne(sql, allowed, what);
    } catch (e) {
      options.release();
      throw e;
    }
    return RowStream.start(prepared, { interrupt: () => this.raw.interrupt(), release: options.release }, options.signal);
  }

  /** Runs one statement a client wrote (see prepareOne) and reads its whole result. */
  async queryOne(sql: string, allowed: readonly ClientStatementKind[], what: string): Promise<QueryResult> {
    if (this.beginPending) {
      // the transaction's BEGIN cannot ride in front of a prepared statement
      this.beginPending = false;
      await this.raw.run('BEGIN TRANSACTION');
    }
    const prepared = await this.prepareOne(sql, allowed, what);
    try {
      const profile = statementProfile();
      const started = profile ? performance.now() : 0;
      const reader = await prepared.run();
      const result = await readAll(reader);
      profile?.record(sql, performance.now() - started);
      return result;
    } finally {
      prepared.destroySync();
    }
  }

  /**
   * Runs one statement a client wrote (see prepareOne) and keeps its result in `temp`, an existing
   * temp table of this connection with the result's columns, chunk by chunk as DuckDB made them (no
   * value goes through JS): for the rows an `INSERT ... RETURNING *` changed. `into` is the
   * connection whose temp table it is (this one by default). Returns the row count.
   */
  async queryOneInto(sql: string, allowed: readonly ClientStatementKind[], what: string, temp: string, into: Connection = this): Promise<number> {
    if (this.beginPending) {
      this.beginPending = false;
      await this.raw.run('BEGIN TRANSACTION');
    }
    const prepared = await this.prepareOne(sql, allowed, what);
    let rows = 0;
    try {
      const result = await prepared.run();
      const appender = await into.raw.createAppender(temp, 'main', 'temp');
      try {
        for (const chunk of await result.fetchAllChunks()) {
          if (chunk.rowCount === 0) continue;
          appender.appendDataChunk(chunk);
          rows += chunk.rowCount;
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    } finally {
      prepared.destroySync();
    }
    return rows;
  }

  /**
   * Runs fn inside a transaction: committed when it returns, rolled back when it throws.
   * `beforeCommit` statements run after fn, in one call with the COMMIT.
   */
  async transaction<T>(fn: () => Promise<T>, beforeCommit: readonly string[] = []): Promise<T> {
    if (this.inTransaction) throw new Error('transactions do not nest');
    this.inTransaction = true;
    this.beginPending = true;
    try {
      const result = await fn();
      // with BEGIN still pending and nothing to run before COMMIT, there is no transaction to commit
      if (!this.beginPending || beforeCommit.length > 0) await this.exec([...beforeCommit, 'COMMIT'].join(';\n'));
      return result;
    } catch (e) {
      try {
        if (!this.beginPending) await this.raw.run('ROLLBACK');
      } catch {
        // the transaction may already be aborted; the original error is what matters
      }
      throw e;
    } finally {
      this.inTransaction = false;
      this.beginPending = false;
    }
  }

  /** Appends rows (arrays of JS values in column order) to a table with DuckDB's appender. */
  async append(table: string, schema: string | undefined, rows: readonly (readonly unknown[])[]): Promise<void> {
    const appender = await this.raw.createAppender(table, schema);
    try {
      for (const row of rows) {
        for (const value of row) appendValue(appender, value);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private async exec(statements: string): Promise<void> {
    const sql = this.withBegin(statements);
    const profile = statementProfile();
    if (!profile) {
      await this.raw.run(sql);
      return;
    }
    const started = performance.now();
    await this.raw.run(sql);
    profile.record(statements, performance.now() - started); // a BEGIN in front is timed with its statement
  }

  private withBegin(sql: string): string {
    if (!this.beginPending) return sql;
    this.beginPending = false;
    return `BEGIN TRANSACTION;\n${sql}`;
  }

  interrupt(): void {
    this.raw.interrupt();
  }

  close(): void {
    this.raw.closeSync();
  }
}

/**
 * DuckDB's own confinement: the allowed directories, then external access off, which also locks the
 * list (DuckDB refuses to change either while external access is off).
 */
async function confineFileAccess(instance: DuckDBInstance, directories: readonly string[]): Promise<void> {
  const conn = await instance.connect();
  try {
    const list = directories.map((d) => quoteLiteral(d.endsWith(sep) ? d : d + sep)).join(', ');
    await conn.run(`SET allowed_directories = [${list}]`);
    await conn.run('SET enable_external_access = false');
  } finally {
    conn.closeSync();
  }
}

/** Reads a result's columns (their types once per result, not once per column) and all its rows. */
async function readAll(reader: DuckDBMaterializedResult): Promise<QueryResult> {
  const types = reader.columnTypes();
  const columns = reader.columnNames().map((name, i) => ({ name, type: String(types[i]) }));
  const rows: unknown[][] = [];
  for (const chunk of await reader.fetchAllChunks()) {
    for (const row of chunk.getRows()) rows.push(row.map(fromDuckValue));
  }
  return { columns, rows };
}

/** DuckDB's statement extraction prefixes its parser's message; the parser's message is what a user needs. */
function duckParseError(e: unknown, sql: string): Error {
  const message = (e instanceof Error ? e.message : String(e)).replace(/^Failed to extract statements: /, '');
  if (sql.trim() === '' || message === 'Error in native callback') return new EddyError('SYNTAX_ERROR', 'expected a statement but found none');
  return new Error(message, { cause: e });
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function appendValue(appender: Appender, value: unknown): void {
  if (value === null || value === undefined) appender.appendNull();
  else if (typeof value === 'boolean') appender.appendBoolean(value);
  else if (typeof value === 'bigint') appender.appendBigInt(value);
  else if (typeof value === 'number') appender.appendDouble(value);
  else appender.appendVarchar(typeof value === 'string' ? value : JSON.stringify(value));
}
