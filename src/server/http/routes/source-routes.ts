/** POST /v1/sources/:name/rows: appends rows (a JSON array or NDJSON) to a push source. */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../../engine/index.js';
import { EddyError } from '../../../util/errors.js';
import { nameParams, rowsRequest, rowsResponse, withErrors } from '../schemas.js';

export const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-seq'];

/** One JSON value per non-empty line; a line that is not JSON is an error naming its row index. */
export function parseNdjson(text: string): unknown[] {
  const rows: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch (e) {
      throw new EddyError('BAD_INPUT_ROW', `row index ${rows.length}: not JSON: ${(e as Error).message}`, { hint: 'send one JSON object per line' });
    }
  }
  return rows;
}

export function registerSourceRoutes(app: FastifyInstance, engine: Engine, bodyLimit: number): void {
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseNdjson(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.post<{ Params: { name: string }; Body: Record<string, unknown>[] }>(
    '/v1/sources/:name/rows',
    {
      bodyLimit,
      schema: {
        summary: 'Append rows to a push source',
        description: 'Keys are column names; values are cast to the column types. A bad row is an error naming its index (0-based) and column, and nothing is appended.',
        consumes: ['application/json', ...NDJSON_TYPES],
        params: nameParams,
        body: rowsRequest,
        response: withErrors({ 200: rowsResponse }),
      },
    },
    async (request) => {
      const { rows } = await engine.appendRows(request.params.name, request.body);
      return { source: request.params.name, rows };
    },
  );
}
