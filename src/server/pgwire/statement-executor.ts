/**
 * Runs one statement of a wire session. The statement is parsed once, by Eddy's grammar, and its
 * kind says where it goes: session statements (transactions, SET/RESET/SHOW of parameters, cursors,
 * COPY) are run here, a pull query that reads PostgreSQL's system catalog by the emulated one, and
 * everything else by the engine.
 */
import type { Engine, PullResult } from '../../engine/index.js';
import { commandResult, rowsResult, type StatementResult } from '../../engine/statement-result.js';
import type { CloseCursor, CopyToStdout, DeclareCursor, Fetch, SessionStatement, SetParameter, ShowParameter, Statement, Transaction } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import type { CatalogEmulation } from './catalog-emulation.js';
import { parseDuration } from './duration.js';
import type { SessionParameters } from './session-parameters.js';
import { SubscriptionFeed } from './subscription-feed.js';

/** A statement the engine runs (any kind but the wire session's own). */
type EngineStatement = Exclude<Statement, SessionStatement>;

export type Outcome =
  | { readonly kind: 'result'; readonly result: StatementResult }
  /** SUBSCRIBE (rows) or COPY (SUBSCRIBE ...) TO STDOUT (copy): runs until cancelled or ended. */
  | { readonly kind: 'stream'; readonly feed: SubscriptionFeed; readonly copy: boolean }
  /** A pull query's rows as DuckDB produces them, as rows or (copy) COPY (SELECT ...) TO STDOUT. */
  | { readonly kind: 'pull'; readonly rows: PulledRows; readonly copy: boolean }
  /** COPY (query) TO STDOUT of a statement that is not a pull query (SHOW, EXPLAIN). */
  | { readonly kind: 'copy'; readonly result: StatementResult };

type Cursor =
  | { readonly kind: 'feed'; readonly feed: SubscriptionFeed }
  | { readonly kind: 'pull'; readonly rows: PulledRows }
  | { readonly kind: 'rows'; readonly result: StatementResult; position: number };

/**
 * A pull query's rows with what was read but not yet sent: a portal suspended at its row limit, or
 * a cursor's FETCH, leaves the rest of a chunk here.
 */
export class PulledRows {
  private pending: readonly (readonly unknown[])[] = [];
  private sent = 0;

  constructor(readonly result: PullResult) {}

  get columns(): PullResult['columns'] {
    return this.result.columns;
  }

  /** Rows handed out so far. */
  get count(): number {
    return this.sent;
  }

  /** Up to `max` rows (fewer at the end; an empty list means the end). */
  async take(max: number): Promise<readonly (readonly unknown[])[]> {
    if (!(await this.hasMore())) return [];
    const rows = this.pending.length <= max ? this.pending : this.pending.slice(0, max);
    this.pending = this.pending.length <= max ? [] : this.pending.slice(max);
    this.sent += rows.length;
    return rows;
  }

  /** Whether a row is left (reading the next chunk if need be). */
  async hasMore(): Promise<boolean> {
    while (this.pending.length === 0) {
      const chunk = await this.result.next();
      if (chunk === null) return false;
      this.pending = chunk;
    }
    return true;
  }

  close(): void {
    this.result.close();
  }
}

export interface ExecutorConfig {
  readonly engine: Engine;
  readonly catalog: CatalogEmulation;
  /** Rows a subscription may hold for a slow client. */
  readonly subscriberLimit: number;
}

export class StatementExecutor {
  transaction: 'I' | 'T' | 'E' = 'I';
  private readonly cursors = new Map<string, Cursor>();

  /** `onNotice` sends a NOTICE while a statement runs (a CREATE reporting its backfill). */
  constructor(
    private readonly config: ExecutorConfig,
    readonly parameters: SessionParameters,
    private readonly onParameter: (name: string, value: string) => void,
    private readonly onNotice: (message: string) => void = () => undefined,
  ) {}

  /**
   * Runs one statement. `signal` is the session's cancel signal (FETCH waits on it). Errors thrown
   * carry positions relative to `sql`.
   */
  async run(sql: string, signal: AbortSignal): Promise<Outcome> {
    const statements = await this.config.engine.parseAsync(sql);
    if (statements.length !== 1) {
      throw new EddyError('SYNTAX_ERROR', `expected one statement, found ${statements.length}`);
    }
    const statement = statements[0]!;
    if (this.transaction === 'E' && !(statement.kind === 'transaction' && (statement.action === 'commit' || statement.action === 'rollback'))) {
      throw new EddyError('IN_FAILED_TRANSACTION', 'current transaction is aborted, commands ignored until end of transaction block', { hint: 'send ROLLBACK' });
    }
    switch (statement.kind) {
      case 'transaction':
        return this.transactionStatement(statement);
      case 'set_parameter':
        return this.set(statement);
      case 'set_transaction':
        // Eddy's statements take effect when they run, whatever the isolation level asked for
        return done('SET');
      case 'reset_parameter':
        if (statement.name === null) for (const [name] of this.parameters.all()) this.parameters.reset(name);
        else this.parameters.reset(statement.name);
        return done('RESET');
      case 'show_parameter':
        return this.show(statement);
      case 'discard':
        this.closeCursors();
        return done(`DISCARD ${statement.target.toUpperCase()}`);
      case 'deallocate':
        return done('DEALLOCATE');
      case 'declare_cursor':
        return this.declare(statement);
      case 'fetch':
        return this.fetch(statement, signal);
      case 'close_cursor':
        return this.close(statement);
      case 'copy':
        return this.copy(statement, signal);
      default:
        return this.runOnEngine(statement, signal);
    }
  }

  /**
   * Whether a statement only reads (a pull query, a SHOW), so that running it to learn its columns
   * changes nothing. A syntax error is thrown, as PostgreSQL reports one when a statement is prepared.
   */
  async onlyReads(sql: string): Promise<boolean> {
    const statements = await this.config.engine.parseAsync(sql);
    const kind = statements.length === 1 ? statements[0]!.kind : null;
    return kind === 'select' || kind === 'show' || kind === 'show_parameter';
  }

  /** Closes every cursor (end of transaction, end of session). */
  closeCursors(): void {
    for (const cursor of this.cursors.values()) closeCursor(cursor);
    this.cursors.clear();
  }

  /** An error inside a transaction block aborts it, as in PostgreSQL. */
  failed(): void {
    if (this.transaction === 'T') this.transaction = 'E';
  }

  private endTransaction(): void {
    this.transaction = 'I';
    this.closeCursors();
  }

  private transactionStatement(statement: Transaction): Outcome {
    if (statement.action === 'begin' || statement.action === 'start') {
      this.transaction = 'T';
      return done(statement.action === 'start' ? 'START TRANSACTION' : 'BEGIN');
    }
    const failed = this.transaction === 'E';
    this.endTransaction();
    // AND CHAIN: a new block begins as this one ends
    if (statement.chain) this.transaction = 'T';
    return done(statement.action === 'commit' && !failed ? 'COMMIT' : 'ROLLBACK');
  }

  /**
   * A statement of the engine's: rows as they come for a pull query (or from the emulated
   * pg_catalog, when that is what the query reads), a feed for SUBSCRIBE, a result for the rest.
   */
  private async runOnEngine(statement: EngineStatement, signal: AbortSignal): Promise<Outcome> {
    if (statement.kind === 'subscribe') return { kind: 'stream', feed: await this.openFeed(statement), copy: false };
    if (statement.kind === 'select') {
      const answered = await this.config.catalog.answer(statement.query);
      if (answered) return { kind: 'result', result: answered };
      return { kind: 'pull', rows: new PulledRows(await this.config.engine.query(statement, { signal })), copy: false };
    }
    return { kind: 'result', result: await this.config.engine.executeStatement(statement, { onNotice: this.onNotice }) };
  }

  private openFeed(statement: Extract<Statement, { kind: 'subscribe' }>): Promise<SubscriptionFeed> {
    const hint = 'SUBSCRIBE supports WITH (snapshot = true | false, from_batch = N)';
    const unknown = Object.keys(statement.options).filter((k) => k !== 'snapshot' && k !== 'from_batch');
    if (unknown.length > 0) throw new EddyError('INVALID_PARAMETER', `unknown SUBSCRIBE option "${unknown[0]}"`, { position: statement.start, hint });
    const { snapshot, from_batch: from } = statement.options;
    const fromBatch = from === undefined ? undefined : Number(from);
    if (fromBatch !== undefined && !(Number.isSafeInteger(fromBatch) && fromBatch >= 0)) {
      throw new EddyError('INVALID_PARAMETER', `SUBSCRIBE option from_batch must be a batch number (an integer >= 0), not ${JSON.stringify(from)}`, { position: statement.start, hint });
    }
    return SubscriptionFeed.open(this.config.engine, statement.name, {
      snapshot: snapshot === undefined ? true : snapshot === true || String(snapshot).toLowerCase() === 'true',
      fromBatch,
      limit: this.config.subscriberLimit,
    });
  }

  private set(statement: SetParameter): Outcome {
    const name = this.parameters.canonical(statement.name);
    // DEFAULT (and SET TIME ZONE LOCAL) is the parameter's default, or empty for one Eddy has none of
    if (statement.values === null) {
      if (!this.parameters.reset(name)) this.parameters.put(name, '');
    } else this.parameters.put(name, statement.values.join(', '));
    if (this.parameters.isReported(name)) this.onParameter(name, this.parameters.get(name) ?? '');
    return done('SET');
  }

  private show(statement: ShowParameter): Outcome {
    if (statement.name === null) {
      const columns = [{ name: 'name', type: 'VARCHAR' }, { name: 'setting', type: 'VARCHAR' }, { name: 'description', type: 'VARCHAR' }];
      return { kind: 'result', result: rowsResult(columns, this.parameters.all().map(([n, v]) => [n, v, ''])) };
    }
    const name = statement.name;
    const value = this.parameters.get(name);
    if (value === undefined) {
      throw new EddyError('INVALID_PARAMETER', `unrecognized configuration parameter "${name}"`, {
        hint: 'SHOW SOURCES, TABLES, VIEWS, MATERIALIZED VIEWS, SINKS, QUERIES and PROGRESS name list Eddy objects',
      });
    }
    return { kind: 'result', result: rowsResult([{ name: name.toLowerCase(), type: 'VARCHAR' }], [[value]], 'SHOW') };
  }

  /** COPY (statement) TO STDOUT: the statement's rows, in COPY's text format. */
  private async copy(statement: CopyToStdout, signal: AbortSignal): Promise<Outcome> {
    const outcome = await this.runOnEngine(statement.statement, signal);
    if (outcome.kind === 'stream') return { kind: 'stream', feed: outcome.feed, copy: true };
    if (outcome.kind === 'pull') return { kind: 'pull', rows: outcome.rows, copy: true };
    if (outcome.kind === 'result' && outcome.result.columns.length > 0) return { kind: 'copy', result: outcome.result };
    throw new EddyError('FEATURE_NOT_SUPPORTED', 'COPY (...) TO STDOUT needs a SUBSCRIBE or a query that returns rows');
  }

  private async declare(statement: DeclareCursor): Promise<Outcome> {
    if (this.transaction === 'I') {
      throw new EddyError('FEATURE_NOT_SUPPORTED', 'DECLARE CURSOR can only be used in transaction blocks', { hint: 'send BEGIN first' });
    }
    if (this.cursors.has(statement.name)) throw new EddyError('DUPLICATE_OBJECT', `cursor "${statement.name}" already exists`);
    // the cursor outlives this statement: its rows are read by later FETCHes, until CLOSE or COMMIT
    const outcome = await this.runOnEngine(statement.statement, new AbortController().signal);
    if (outcome.kind === 'stream') this.cursors.set(statement.name, { kind: 'feed', feed: outcome.feed });
    else if (outcome.kind === 'pull') this.cursors.set(statement.name, { kind: 'pull', rows: outcome.rows });
    else if (outcome.kind === 'result') this.cursors.set(statement.name, { kind: 'rows', result: outcome.result, position: 0 });
    return done('DECLARE CURSOR');
  }

  /**
   * FETCH from a subscription waits until at least one row is there (or the timeout passes, or the
   * client cancels), then returns up to `count` rows, as Materialize does.
   */
  private async fetch(statement: Fetch, signal: AbortSignal): Promise<Outcome> {
    const timeoutMs = fetchTimeout(statement);
    const cursor = this.cursor(statement.name);
    const max = statement.count ?? Infinity;
    if (cursor.kind === 'pull') {
      const rows: (readonly unknown[])[] = [];
      while (rows.length < max) {
        const more = await cursor.rows.take(max - rows.length);
        if (more.length === 0) break;
        rows.push(...more);
      }
      return { kind: 'result', result: rowsResult(cursor.rows.columns, rows, `FETCH ${rows.length}`) };
    }
    if (cursor.kind === 'rows') {
      const rows = cursor.result.rows.slice(cursor.position, cursor.position + max);
      cursor.position += rows.length;
      return { kind: 'result', result: rowsResult(cursor.result.columns, rows, `FETCH ${rows.length}`) };
    }
    const feed = cursor.feed;
    if (max > 0) await feed.wait(signal, timeoutMs);
    if (signal.aborted && feed.pending === 0) throw canceled();
    if (feed.error && feed.pending === 0) throw feed.error;
    const rows = feed.take(max);
    return { kind: 'result', result: rowsResult(feed.columns, rows, `FETCH ${rows.length}`) };
  }

  private close(statement: CloseCursor): Outcome {
    if (statement.name === null) this.closeCursors();
    else {
      closeCursor(this.cursor(statement.name));
      this.cursors.delete(statement.name);
    }
    return done(statement.name === null ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR');
  }

  private cursor(name: string): Cursor {
    const cursor = this.cursors.get(name);
    if (!cursor) throw new EddyError('INVALID_CURSOR_NAME', `cursor "${name}" does not exist`, { hint: 'DECLARE it inside the same transaction block' });
    return cursor;
  }
}

function closeCursor(cursor: Cursor): void {
  if (cursor.kind === 'feed') cursor.feed.close();
  else if (cursor.kind === 'pull') cursor.rows.close();
}

export function canceled(): EddyError {
  return new EddyError('QUERY_CANCELED', 'canceling statement due to user request');
}

function done(tag: string): Outcome {
  return { kind: 'result', result: commandResult(tag) };
}

/** FETCH's one option, WITH (timeout = '1s'): how long it waits for a subscription's first row. */
function fetchTimeout(statement: Fetch): number | null {
  for (const key of Object.keys(statement.options)) {
    if (key !== 'timeout') {
      throw new EddyError('INVALID_PARAMETER', `unknown FETCH option "${key}"`, { position: statement.start, hint: "FETCH supports WITH (timeout = '1s')" });
    }
  }
  const timeout = statement.options.timeout;
  return timeout === undefined ? null : parseDuration(String(timeout));
}
