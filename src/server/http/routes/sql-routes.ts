/** POST /v1/sql: runs statements in order; an error reports the results of the statements before it. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Engine, PullResult, StatementResult } from '../../../engine/index.js';
import type { Statement } from '../../../sql/ast.js';
import { asEddyError, type EddyError } from '../../../util/errors.js';
import { errorBody } from '../error-body.js';
import { jsonValue, stringifyJson } from '../json-values.js';
import { sqlRequest, sqlResponse, withErrors } from '../schemas.js';

/**
 * Results are gathered as JSON text up to this size and answered as one body with the right status
 * (an error's own, if a statement fails). Past it, the answer streams from there on, with status 200,
 * at the pace the client reads, so that no result is held in memory whole; an error after that point
 * ends the body with an `error` member.
 */
const BUFFERED_BYTES = 4 * 1024 * 1024;

export function resultJson(r: StatementResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    tag: r.tag,
    columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: r.rows.map((row) => row.map(jsonValue)),
  };
  if (r.notices && r.notices.length > 0) out.notices = r.notices;
  return out;
}

export function registerSqlRoutes(app: FastifyInstance, engine: Engine): void {
  app.post<{ Body: { sql: string } }>(
    '/v1/sql',
    {
      schema: {
        summary: 'Run SQL statements',
        description:
          'Runs the statements in order; the first error stops the script. The error body also holds the results of the statements before it. ' +
          'A large result streams: the status is then 200 and an error after the first rows ends the body with an "error" member.',
        body: sqlRequest,
        response: withErrors({ 200: sqlResponse }),
      },
    },
    async (request, reply) => {
      // a client that goes away cancels its query: DuckDB is interrupted
      const abort = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const body = new ResultsBody(reply, abort.signal);
      try {
        for (const statement of await engine.parseAsync(request.body.sql)) await body.add(engine, statement);
      } catch (e) {
        return body.fail(asEddyError(e));
      }
      return body.finish();
    },
  );
}

/** The `{"results": [...]}` body, gathered as text and streamed once it grows large. */
class ResultsBody {
  private readonly parts: string[] = [];
  private bytes = 0;
  private streaming = false;
  private results = 0;

  constructor(
    private readonly reply: FastifyReply,
    private readonly signal: AbortSignal,
  ) {}

  async add(engine: Engine, statement: Statement): Promise<void> {
    if (statement.kind !== 'select') return this.write((this.results++ > 0 ? ',' : '') + stringifyJson(resultJson(await engine.executeStatement(statement))));
    const rows = await engine.query(statement, { signal: this.signal });
    try {
      await this.writeRows(rows);
    } finally {
      rows.close();
    }
  }

  /** Everything ran: the whole body, or the end of the streamed one. */
  async finish(): Promise<unknown> {
    if (!this.streaming) return this.reply.type('application/json').send(`{"results":[${this.parts.join('')}]}`);
    await this.write(']}');
    this.reply.raw.end();
    return this.reply;
  }

  /** A statement failed: its error with the results before it. */
  async fail(error: EddyError): Promise<unknown> {
    const errorJson = stringifyJson(errorBody(error).error);
    if (!this.streaming) return this.reply.status(error.httpStatus).type('application/json').send(`{"error":${errorJson},"results":[${this.parts.join('')}]}`);
    if (!this.reply.raw.destroyed) this.reply.raw.end(`],"error":${errorJson}}`);
    return this.reply;
  }

  private async writeRows(rows: PullResult): Promise<void> {
    const columns = stringifyJson(rows.columns.map((c) => ({ name: c.name, type: c.type })));
    await this.write(`${this.results++ > 0 ? ',' : ''}{"columns":${columns},"rows":[`);
    let first = true;
    for (let chunk = await rows.next(); chunk !== null; chunk = await rows.next()) {
      let text = '';
      for (const row of chunk) {
        text += (first ? '' : ',') + stringifyJson(row.map(jsonValue));
        first = false;
      }
      await this.write(text);
    }
    await this.write(`],"tag":"SELECT ${rows.rowCount}"}`);
  }

  private async write(text: string): Promise<void> {
    if (!this.streaming) {
      this.parts.push(text);
      this.bytes += text.length;
      if (this.bytes <= BUFFERED_BYTES) return;
      this.startStreaming();
      text = this.parts.splice(0).join('');
    }
    const raw = this.reply.raw;
    if (raw.destroyed) throw asEddyError(new Error('the client closed the connection'), 'QUERY_CANCELED');
    if (!raw.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          raw.off('drain', done);
          raw.off('close', done);
          resolve();
        };
        raw.on('drain', done);
        raw.on('close', done);
      });
    }
  }

  private startStreaming(): void {
    this.streaming = true;
    this.reply.hijack();
    this.reply.raw.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    this.reply.raw.write('{"results":[');
  }
}
