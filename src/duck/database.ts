import { availableParallelism } from 'node:os';
import { DuckDBInstance, type DuckDBConnection, type DuckDBMaterializedResult } from '@duckdb/node-api';
import { EddyError } from '../util/errors.js';
import { statementProfile } from './statement-profile.js';
import { WorkerThreads } from './worker-threads.js';
import { fromDuckValue } from './values.js';

/** A column of a result: its name and its DuckDB type as DuckDB spells it (`BIGINT`, `DECIMAL(10,2)`). */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
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
   * `threads` pins DuckDB's worker threads, as EDDY_DUCKDB_THREADS does; unpinned, there is one per
   * core while bulk work runs and one while only small micro-batches do (WorkerThreads). (Measured
   * on two cores: one thread makes small batches 15-30% faster, but a file source's JSON parsing and
   * Parquet writing take 1.7x as long: docs/BENCHMARKS.md, "Threads".)
   */
  static async open(path: string, options: { threads?: number } = {}): Promise<Database> {
    try {
      const pinned = options.threads ?? process.env.EDDY_DUCKDB_THREADS;
      const threads = Number(pinned ?? availableParallelism());
      const instance = await DuckDBInstance.create(path, { threads: String(threads) });
      return new Database(instance, path, new WorkerThreads(threads, pinned === undefined));
    } catch (e) {
      throw new EddyError('IO_ERROR', `cannot open DuckDB database ${path}: ${(e as Error).message}`, { cause: e });
    }
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
    const columns = reader.columnNames().map((name, i) => ({ name, type: String(reader.columnTypes()[i]) }));
    const chunks = await reader.fetchAllChunks();
    profile?.record(sql, performance.now() - started);
    const rows: unknown[][] = [];
    for (const chunk of chunks) {
      for (const row of chunk.getRows()) rows.push(row.map(fromDuckValue));
    }
    return { columns, rows };
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

  /** The column names and types a query would produce, without running it (DuckDB's binder checks it). */
  async describe(sql: string): Promise<ResultColumn[]> {
    const rows = await this.objects<{ column_name: string; column_type: string }>(`DESCRIBE ${sql}`);
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
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

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function appendValue(appender: Appender, value: unknown): void {
  if (value === null || value === undefined) appender.appendNull();
  else if (typeof value === 'boolean') appender.appendBoolean(value);
  else if (typeof value === 'bigint') appender.appendBigInt(value);
  else if (typeof value === 'number') appender.appendDouble(value);
  else appender.appendVarchar(typeof value === 'string' ? value : JSON.stringify(value));
}
