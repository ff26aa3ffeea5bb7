/**
 * One authenticated wire session: the simple query protocol (a string of statements, one result
 * each) and the extended protocol (Parse/Bind/Describe/Execute/Sync/Close/Flush), over a
 * StatementExecutor. Messages are handled one at a time, in order.
 */
import { asEddyError, EddyError } from '../../util/errors.js';
import * as out from './backend-messages.js';
import { BodyReader, type FrontendMessage } from './frontend-reader.js';
import { binaryParameterText, duckTypeOfOid, TEXT } from './pg-types.js';
import { columnFormats, fieldDescriptions, RowEncoder } from './row-encoding.js';
import { isBlank, parameterCountAsync, splitStatementsAsync, substituteParametersAsync } from './sql-text.js';
import { canceled, type Outcome, type PulledRows, type StatementExecutor } from './statement-executor.js';
import type { SubscriptionFeed } from './subscription-feed.js';
import { messageType } from './wire-limits.js';

/** What the session needs from its connection. */
export interface SessionOutput {
  send(message: Buffer): void;
  /** Bytes written but not yet sent to the client. */
  buffered(): number;
  /** Resolves when the socket's buffer drained (or the socket closed). */
  drained(): Promise<void>;
  end(): void;
}

interface Prepared {
  readonly sql: string;
  readonly paramTypes: readonly number[];
  readonly paramCount: number;
}

interface Portal {
  readonly prepared: Prepared;
  readonly sql: string;
  readonly resultFormats: readonly number[];
  outcome: Outcome | null;
  position: number;
  described: boolean;
}

export interface SessionLimits {
  /** When more bytes than this wait to be sent, streaming waits for the socket to drain. */
  readonly socketBuffer: number;
}

export class Session {
  private readonly prepared = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  private skipUntilSync = false;
  private running: AbortController | null = null;
  private closed = false;

  constructor(private readonly executor: StatementExecutor, private readonly output: SessionOutput, private readonly limits: SessionLimits) {}

  /** CancelRequest: stops the running subscription or FETCH (other statements finish). */
  cancel(): void {
    this.running?.abort();
  }

  close(): void {
    this.closed = true;
    this.running?.abort();
    this.executor.closeCursors();
    for (const portal of this.portals.values()) closeOutcome(portal.outcome);
  }

  async handle(message: FrontendMessage): Promise<void> {
    if (this.skipUntilSync && message.type !== 'S' && message.type !== 'X') return;
    try {
      switch (message.type) {
        case 'Q':
          return await this.simpleQuery(new BodyReader(message.body).cstring());
        case 'P':
          return await this.parse(new BodyReader(message.body));
        case 'B':
          return await this.bind(new BodyReader(message.body));
        case 'D':
          return await this.describe(new BodyReader(message.body));
        case 'E':
          return await this.execute(new BodyReader(message.body));
        case 'S':
          this.skipUntilSync = false;
          return this.send(out.readyForQuery(this.executor.transaction));
        case 'H':
          return;
        case 'C':
          return this.closeObject(new BodyReader(message.body));
        case 'X':
          return this.output.end();
        case 'd':
        case 'c':
        case 'f':
          return;
        default:
          throw new EddyError('PROTOCOL_VIOLATION', `unexpected message type ${messageType(message.type)}`);
      }
    } catch (e) {
      this.reject(message.type, e);
    }
  }

  /**
   * Answers a message that cannot be handled (malformed, over its size limit): a simple Query ends
   * with ReadyForQuery, as its client waits for one; an extended-protocol message makes the session
   * skip to the next Sync, as PostgreSQL does.
   */
  reject(type: string, e: unknown): void {
    this.fail(e, 0);
    if (type === 'Q' || type === 'S') this.send(out.readyForQuery(this.executor.transaction));
    else this.skipUntilSync = true;
  }

  private async simpleQuery(sql: string): Promise<void> {
    const pieces = await splitStatementsAsync(sql);
    if (pieces.length === 0) this.send(out.emptyQueryResponse());
    for (const piece of pieces) {
      try {
        const outcome = await this.run(piece.text);
        await this.deliver(outcome, { describe: true, formats: [] });
      } catch (e) {
        this.fail(e, piece.offset);
        break;
      }
    }
    this.send(out.readyForQuery(this.executor.transaction));
  }

  /** Runs one statement with a fresh cancel signal. */
  private async run(sql: string): Promise<Outcome> {
    this.running = new AbortController();
    return this.executor.run(sql, this.running.signal);
  }

  private async parse(body: BodyReader): Promise<void> {
    const name = body.cstring();
    const sql = body.cstring();
    const count = body.int16();
    const paramTypes: number[] = [];
    for (let i = 0; i < count; i++) paramTypes.push(body.int32());
    if (name !== '' && this.prepared.has(name)) throw new EddyError('DUPLICATE_OBJECT', `prepared statement "${name}" already exists`);
    const trimmed = await splitStatementsAsync(sql);
    if (trimmed.length > 1) throw new EddyError('SYNTAX_ERROR', 'cannot insert multiple commands into a prepared statement');
    const paramCount = Math.max(await parameterCountAsync(sql), paramTypes.length);
    this.prepared.set(name, { sql: trimmed[0]?.text ?? '', paramTypes, paramCount });
    this.send(out.parseComplete());
  }

  private async bind(body: BodyReader): Promise<void> {
    const portalName = body.cstring();
    const statementName = body.cstring();
    const prepared = this.prepared.get(statementName);
    if (!prepared) throw new EddyError('INVALID_STATEMENT_NAME', `prepared statement "${statementName}" does not exist`);
    const formats = Array.from({ length: body.int16() }, () => body.int16());
    const values: (string | null)[] = [];
    const count = body.int16();
    for (let i = 0; i < count; i++) {
      const length = body.int32();
      if (length < 0) values.push(null);
      else {
        const data = body.bytes(length);
        const format = formats.length === 1 ? formats[0] : formats[i];
        values.push(format === 1 ? binaryParameterText(data, prepared.paramTypes[i] ?? 0, i + 1) : data.toString('utf8'));
      }
    }
    if (values.length < prepared.paramCount) {
      throw new EddyError('PROTOCOL_VIOLATION', `bind message supplies ${values.length} parameters, but the statement requires ${prepared.paramCount}`);
    }
    const resultFormats = Array.from({ length: body.int16() }, () => body.int16());
    const sql = values.length === 0 ? prepared.sql : await substituteParametersAsync(prepared.sql, values, prepared.paramTypes.map(duckTypeOfOid));
    this.closePortal(portalName);
    this.portals.set(portalName, { prepared, sql, resultFormats, outcome: null, position: 0, described: false });
    this.send(out.bindComplete());
  }

  private async describe(body: BodyReader): Promise<void> {
    const kind = body.byte();
    const name = body.cstring();
    if (kind === 'S') {
      const prepared = this.prepared.get(name);
      if (!prepared) throw new EddyError('INVALID_STATEMENT_NAME', `prepared statement "${name}" does not exist`);
      const oids = Array.from({ length: prepared.paramCount }, (_, i) => prepared.paramTypes[i] || TEXT.oid);
      this.send(out.parameterDescription(oids));
      const columns = await this.probeColumns(prepared);
      this.send(columns ? out.rowDescription(fieldDescriptions(columns, columns.map(() => 0))) : out.noData());
      return;
    }
    const portal = this.portal(name);
    const outcome = await this.outcomeOf(portal);
    portal.described = true;
    const columns = outcome.kind === 'stream' ? outcome.feed.columns : outcome.kind === 'pull' ? outcome.rows.columns : outcome.kind === 'result' ? outcome.result.columns : [];
    if (columns.length === 0 || outcome.kind === 'copy' || ((outcome.kind === 'stream' || outcome.kind === 'pull') && outcome.copy)) this.send(out.noData());
    else this.send(out.rowDescription(fieldDescriptions(columns, columnFormats(columns, portal.resultFormats))));
  }

  /**
   * The columns of a prepared statement before it is bound: a query that only reads is run with
   * NULL parameters; other statements are described as returning no rows.
   */
  private async probeColumns(prepared: Prepared): Promise<readonly { name: string; type: string }[] | null> {
    if (!(await this.executor.onlyReads(prepared.sql))) return null;
    const sql = await substituteParametersAsync(prepared.sql, Array.from({ length: prepared.paramCount }, () => null), prepared.paramTypes.map(duckTypeOfOid));
    const outcome = await this.run(sql);
    // a pull query's columns are known as soon as it starts; its rows are not needed
    closeOutcome(outcome);
    const columns = outcome.kind === 'result' ? outcome.result.columns : outcome.kind === 'pull' ? outcome.rows.columns : [];
    return columns.length > 0 ? columns : null;
  }

  private async execute(body: BodyReader): Promise<void> {
    const portal = this.portal(body.cstring());
    const maxRows = body.int32();
    if (isBlank(portal.sql)) return this.send(out.emptyQueryResponse());
    // a portal's later Executes (more rows of a suspended query) can be cancelled too
    if (portal.outcome) this.running = new AbortController();
    const outcome = await this.outcomeOf(portal);
    await this.deliver(outcome, { describe: false, formats: portal.resultFormats, portal, maxRows });
  }

  private async outcomeOf(portal: Portal): Promise<Outcome> {
    if (!portal.outcome) {
      try {
        portal.outcome = await this.run(portal.sql);
      } catch (e) {
        throw withPosition(e, portal.sql === portal.prepared.sql);
      }
    }
    return portal.outcome;
  }

  private closeObject(body: BodyReader): void {
    const kind = body.byte();
    const name = body.cstring();
    if (kind === 'S') this.prepared.delete(name);
    else this.closePortal(name);
    this.send(out.closeComplete());
  }

  private closePortal(name: string): void {
    closeOutcome(this.portals.get(name)?.outcome ?? null);
    this.portals.delete(name);
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new EddyError('INVALID_CURSOR_NAME', `portal "${name}" does not exist`);
    return portal;
  }

  /** Sends an outcome: rows (up to maxRows for a portal), a COPY, or a running subscription. */
  private async deliver(outcome: Outcome, how: { describe: boolean; formats: readonly number[]; portal?: Portal; maxRows?: number }): Promise<void> {
    if (outcome.kind === 'stream') return this.stream(outcome.feed, outcome.copy, how.describe, how.formats);
    if (outcome.kind === 'pull') return this.pull(outcome.rows, outcome.copy, how);
    const result = outcome.result;
    for (const notice of result.notices ?? []) this.send(out.noticeResponse(notice));
    if (outcome.kind === 'copy') {
      const encoder = new RowEncoder(result.columns);
      this.send(out.copyOutResponse(result.columns.length));
      for (const row of result.rows) this.send(out.copyData(encoder.copyLine(row)));
      this.send(out.copyDone());
      return this.send(out.commandComplete(`COPY ${result.rows.length}`));
    }
    if (result.columns.length === 0) return this.send(out.commandComplete(result.tag));
    const formats = columnFormats(result.columns, how.formats);
    if (how.describe) this.send(out.rowDescription(fieldDescriptions(result.columns, formats)));
    const encoder = new RowEncoder(result.columns, formats);
    const start = how.portal?.position ?? 0;
    const end = how.maxRows && how.maxRows > 0 ? Math.min(result.rows.length, start + how.maxRows) : result.rows.length;
    for (let i = start; i < end; i++) this.send(out.dataRow(encoder.values(result.rows[i]!)));
    if (how.portal) how.portal.position = end;
    if (end < result.rows.length) return this.send(out.portalSuspended());
    this.send(out.commandComplete(result.tag.startsWith('SELECT') ? `SELECT ${end - start}` : result.tag));
  }

  /**
   * Sends a pull query's rows as DuckDB produces them, a chunk at a time, waiting for the socket to
   * drain whenever the client reads slower than DuckDB writes: a result of any size takes the memory
   * of a chunk and a socket buffer. A portal's row limit suspends it with the rest still unread.
   */
  private async pull(rows: PulledRows, copy: boolean, how: { describe: boolean; formats: readonly number[]; maxRows?: number }): Promise<void> {
    const signal = this.running?.signal;
    const cancel = (): void => rows.close();
    signal?.addEventListener('abort', cancel, { once: true });
    let suspended = false;
    try {
      if (copy) {
        const encoder = new RowEncoder(rows.columns);
        this.send(out.copyOutResponse(rows.columns.length));
        for (let batch = await rows.take(PULL_CHUNK); batch.length > 0; batch = await rows.take(PULL_CHUNK)) {
          this.send(encoder.copyData(batch));
          await this.backpressure(signal);
        }
        this.send(out.copyDone());
        return this.send(out.commandComplete(`COPY ${rows.count}`));
      }
      const formats = columnFormats(rows.columns, how.formats);
      if (how.describe) this.send(out.rowDescription(fieldDescriptions(rows.columns, formats)));
      const encoder = new RowEncoder(rows.columns, formats);
      const limit = how.maxRows && how.maxRows > 0 ? how.maxRows : Infinity;
      let sent = 0;
      while (sent < limit) {
        const batch = await rows.take(Math.min(PULL_CHUNK, limit - sent));
        if (batch.length === 0) break;
        this.send(encoder.dataRows(batch));
        sent += batch.length;
        await this.backpressure(signal);
      }
      // a portal that reached its limit is suspended only if a row is left (PostgreSQL suspends it
      // either way; drivers read both)
      suspended = sent === limit && (await rows.hasMore());
      this.send(suspended ? out.portalSuspended() : out.commandComplete(`SELECT ${sent}`));
    } finally {
      signal?.removeEventListener('abort', cancel);
      if (!suspended) rows.close();
    }
  }

  /** Waits while more than the socket buffer's worth waits to be sent; ends when the session does. */
  private async backpressure(signal: AbortSignal | undefined): Promise<void> {
    if (this.closed) throw canceled();
    if (this.output.buffered() <= this.limits.socketBuffer) return;
    await Promise.race([this.output.drained(), new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }))]);
    if (this.closed) throw canceled();
  }

  /**
   * Streams a subscription until the client cancels, disconnects or falls too far behind. While the
   * socket's buffer is full the loop waits, and the feed's own bound ends a client that never catches up.
   */
  private async stream(feed: SubscriptionFeed, copy: boolean, describe: boolean, formats: readonly number[]): Promise<void> {
    const signal = this.running?.signal ?? new AbortController().signal;
    const rowFormats = copy ? [] : columnFormats(feed.columns, formats);
    const encoder = new RowEncoder(feed.columns, rowFormats);
    if (copy) this.send(out.copyOutResponse(feed.columns.length));
    else if (describe) this.send(out.rowDescription(fieldDescriptions(feed.columns, rowFormats)));
    try {
      for (;;) {
        await feed.wait(signal);
        if (this.closed || signal.aborted) throw canceled();
        const rows = feed.take(512);
        if (rows.length === 0 && feed.error) throw feed.error;
        for (const row of rows) this.send(copy ? out.copyData(encoder.copyLine(row)) : out.dataRow(encoder.values(row)));
        if (this.output.buffered() > this.limits.socketBuffer) {
          await Promise.race([this.output.drained(), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
        }
      }
    } finally {
      feed.close();
    }
  }

  private fail(e: unknown, offset: number | undefined): void {
    const error = asEddyError(e);
    this.executor.failed();
    const position = error.position && offset !== undefined ? offset + error.position.offset + 1 : undefined;
    this.send(out.errorResponse(error, position));
  }

  private send(message: Buffer): void {
    if (!this.closed) this.output.send(message);
  }
}

/** Rows of a pull query sent per turn of the event loop. */
const PULL_CHUNK = 2048;

function closeOutcome(outcome: Outcome | null): void {
  if (outcome?.kind === 'stream') outcome.feed.close();
  else if (outcome?.kind === 'pull') outcome.rows.close();
}

/** Positions only make sense when the text the client sent is the text that ran. */
function withPosition(e: unknown, keep: boolean): unknown {
  if (keep || !(e instanceof EddyError) || !e.position) return e;
  return new EddyError(e.code, e.message, { hint: e.hint, cause: e.cause });
}
