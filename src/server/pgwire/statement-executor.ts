/**
 * Runs one statement of a wire session: session statements (transactions, SET/SHOW, cursors, COPY)
 * here, pg_catalog queries against the emulated catalog, and everything else on the engine.
 */
import type { Engine, PullResult } from '../../engine/index.js';
import { commandResult, rowsResult, type StatementResult } from '../../engine/statement-result.js';
import type { Statement } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import type { CatalogEmulation } from './catalog-emulation.js';
import { isCatalogQuery } from './catalog-emulation.js';
import { parseSet, type SessionParameters } from './session-parameters.js';
import { leadingWords } from './sql-text.js';
import { SubscriptionFeed } from './subscription-feed.js';
import { parseClose, parseCopy, parseDeclare, parseFetch } from './wire-commands.js';

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

/** Engine SHOW targets; any other SHOW is a session parameter. */
const ENGINE_SHOW = new Set(['SOURCES', 'TABLES', 'VIEWS', 'MATERIALIZED', 'SINKS', 'QUERIES', 'PROGRESS', 'CREATE']);

export class StatementExecutor {
  transaction: 'I' | 'T' | 'E' = 'I';
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly config: ExecutorConfig, readonly parameters: SessionParameters, private readonly onParameter: (name: string, value: string) => void) {}

  /**
   * Runs one statement. `signal` is the session's cancel signal (FETCH waits on it). Errors thrown
   * carry positions relative to `sql`.
   */
  async run(sql: string, signal: AbortSignal): Promise<Outcome> {
    const words = leadingWords(sql, 3);
    const first = words[0] ?? '';
    if (this.transaction === 'E' && !['COMMIT', 'END', 'ROLLBACK', 'ABORT'].includes(first)) {
      throw new EddyError('IN_FAILED_TRANSACTION', 'current transaction is aborted, commands ignored until end of transaction block', { hint: 'send ROLLBACK' });
    }
    switch (first) {
      case 'BEGIN':
      case 'START':
        this.transaction = 'T';
        return done(first === 'START' ? 'START TRANSACTION' : 'BEGIN');
      case 'COMMIT':
      case 'END': {
        const failed = this.transaction === 'E';
        this.endTransaction();
        return done(failed ? 'ROLLBACK' : 'COMMIT');
      }
      case 'ROLLBACK':
      case 'ABORT':
        this.endTransaction();
        return done('ROLLBACK');
      case 'SET':
        return this.set(sql);
      case 'RESET':
        if (words[1] === 'ALL') for (const [name] of this.parameters.all()) this.parameters.reset(name);
        else if (words[1]) this.parameters.reset(words[1]);
        return done('RESET');
      case 'DISCARD':
        this.closeCursors();
        return done(`DISCARD ${words[1] ?? 'ALL'}`);
      case 'DEALLOCATE':
        return done('DEALLOCATE');
      case 'SHOW':
        if (!ENGINE_SHOW.has(words[1] ?? '')) return this.show(sql);
        break;
      case 'COPY':
        return this.copy(sql, signal);
      case 'DECLARE':
        return this.declare(sql, signal);
      case 'FETCH':
        return this.fetch(sql, signal);
      case 'CLOSE':
        return this.close(sql);
      default:
        break;
    }
    if (isCatalogQuery(sql)) return { kind: 'result', result: await this.config.catalog.query(sql) };
    return this.runOnEngine(sql, signal);
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

  private async runOnEngine(sql: string, signal: AbortSignal): Promise<Outcome> {
    const statements = await this.config.engine.parseAsync(sql);
    if (statements.length !== 1) {
      throw new EddyError('SYNTAX_ERROR', `expected one statement, found ${statements.length}`);
    }
    const statement = statements[0]!;
    if (statement.kind === 'subscribe') return { kind: 'stream', feed: await this.openFeed(statement), copy: false };
    if (statement.kind === 'select') return { kind: 'pull', rows: new PulledRows(await this.config.engine.query(statement, { signal })), copy: false };
    return { kind: 'result', result: await this.config.engine.executeStatement(statement) };
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

  private set(sql: string): Outcome {
    const set = parseSet(sql);
    if (set) {
      const name = this.parameters.canonical(set.name);
      this.parameters.put(name, set.value);
      if (this.parameters.isReported(name)) this.onParameter(name, set.value);
    }
    return done('SET');
  }

  private show(sql: string): Outcome {
    const m = /^show\s+("?[\w.]+"?|all)\s*$/i.exec(sql.trim());
    if (!m) throw new EddyError('SYNTAX_ERROR', `cannot read the SHOW statement: ${sql}`, { hint: 'write SHOW name' });
    const name = m[1]!.replaceAll('"', '');
    if (name.toLowerCase() === 'all') {
      const columns = [{ name: 'name', type: 'VARCHAR' }, { name: 'setting', type: 'VARCHAR' }, { name: 'description', type: 'VARCHAR' }];
      return { kind: 'result', result: rowsResult(columns, this.parameters.all().map(([n, v]) => [n, v, ''])) };
    }
    const value = this.parameters.get(name);
    if (value === undefined) {
      throw new EddyError('INVALID_PARAMETER', `unrecognized configuration parameter "${name}"`, {
        hint: 'SHOW SOURCES, TABLES, VIEWS, MATERIALIZED VIEWS, SINKS, QUERIES and PROGRESS name list Eddy objects',
      });
    }
    return { kind: 'result', result: rowsResult([{ name: name.toLowerCase(), type: 'VARCHAR' }], [[value]], 'SHOW') };
  }

  private async copy(sql: string, signal: AbortSignal): Promise<Outcome> {
    const copy = parseCopy(sql);
    if (!copy) throw new EddyError('SYNTAX_ERROR', 'COPY supports only COPY (SUBSCRIBE name) TO STDOUT and COPY (SELECT ...) TO STDOUT');
    const outcome = await this.runOnEngine(copy.query, signal).catch((e: unknown) => {
      throw shift(e, copy.offset);
    });
    if (outcome.kind === 'stream') return { kind: 'stream', feed: outcome.feed, copy: true };
    if (outcome.kind === 'pull') return { kind: 'pull', rows: outcome.rows, copy: true };
    if (outcome.kind === 'result' && outcome.result.columns.length > 0) return { kind: 'copy', result: outcome.result };
    throw new EddyError('FEATURE_NOT_SUPPORTED', 'COPY (...) TO STDOUT needs a SUBSCRIBE or a query that returns rows');
  }

  private async declare(sql: string, signal: AbortSignal): Promise<Outcome> {
    const declare = parseDeclare(sql);
    if (!declare) throw new EddyError('SYNTAX_ERROR', 'cannot read the DECLARE statement', { hint: 'write DECLARE c CURSOR FOR SUBSCRIBE name (or FOR SELECT ...)' });
    if (this.transaction === 'I') {
      throw new EddyError('FEATURE_NOT_SUPPORTED', 'DECLARE CURSOR can only be used in transaction blocks', { hint: 'send BEGIN first' });
    }
    if (this.cursors.has(declare.name)) throw new EddyError('DUPLICATE_OBJECT', `cursor "${declare.name}" already exists`);
    // the cursor outlives this statement: its rows are read by later FETCHes, until CLOSE or COMMIT
    const outcome = await this.runOnEngine(declare.query, new AbortController().signal).catch((e: unknown) => {
      throw shift(e, declare.offset);
    });
    if (outcome.kind === 'stream') this.cursors.set(declare.name, { kind: 'feed', feed: outcome.feed });
    else if (outcome.kind === 'pull') this.cursors.set(declare.name, { kind: 'pull', rows: outcome.rows });
    else if (outcome.kind === 'result') this.cursors.set(declare.name, { kind: 'rows', result: outcome.result, position: 0 });
    return done('DECLARE CURSOR');
  }

  /**
   * FETCH from a subscription waits until at least one row is there (or the timeout passes, or the
   * client cancels), then returns up to `count` rows, as Materialize does.
   */
  private async fetch(sql: string, signal: AbortSignal): Promise<Outcome> {
    const fetch = parseFetch(sql);
    if (!fetch) throw new EddyError('SYNTAX_ERROR', 'cannot read the FETCH statement', { hint: "write FETCH 10 c, FETCH ALL c or FETCH 10 c WITH (timeout = '1s')" });
    const cursor = this.cursor(fetch.name);
    const max = fetch.count ?? Infinity;
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
    if (max > 0) await feed.wait(signal, fetch.timeoutMs);
    if (signal.aborted && feed.pending === 0) throw canceled();
    if (feed.error && feed.pending === 0) throw feed.error;
    const rows = feed.take(max);
    return { kind: 'result', result: rowsResult(feed.columns, rows, `FETCH ${rows.length}`) };
  }

  private close(sql: string): Outcome {
    const close = parseClose(sql);
    if (!close) throw new EddyError('SYNTAX_ERROR', 'cannot read the CLOSE statement', { hint: 'write CLOSE name or CLOSE ALL' });
    if (close.name === null) this.closeCursors();
    else {
      closeCursor(this.cursor(close.name));
      this.cursors.delete(close.name);
    }
    return done(close.name === null ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR');
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

/** Moves an error's position from an inner text to the enclosing statement's text. */
function shift(e: unknown, offset: number): unknown {
  if (!(e instanceof EddyError) || !e.position) return e;
  const shifted = new EddyError(e.code, e.message, { hint: e.hint, cause: e.cause, position: { ...e.position, offset: e.position.offset + offset } });
  return shifted;
}
