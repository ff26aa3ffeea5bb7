/** POST /v1/sql: runs statements in order; an error reports the results of the statements before it. */
import type { FastifyInstance } from 'fastify';
import type { Engine, StatementResult } from '../../../engine/index.js';
import { asEddyError } from '../../../util/errors.js';
import type { ChangeHub } from '../../ws/change-hub.js';
import { errorBody } from '../error-body.js';
import { jsonValue } from '../json-values.js';
import { sqlRequest, sqlResponse, withErrors } from '../schemas.js';

export function resultJson(r: StatementResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    tag: r.tag,
    columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: r.rows.map((row) => row.map(jsonValue)),
  };
  if (r.notices && r.notices.length > 0) out.notices = r.notices;
  return out;
}

export function registerSqlRoutes(app: FastifyInstance, engine: Engine, hub: ChangeHub): void {
  app.post<{ Body: { sql: string } }>(
    '/v1/sql',
    {
      schema: {
        summary: 'Run SQL statements',
        description: 'Runs the statements in order; the first error stops the script. The error body also holds the results of the statements before it.',
        body: sqlRequest,
        response: withErrors({ 200: sqlResponse }),
      },
    },
    async (request, reply) => {
      const results: Record<string, unknown>[] = [];
      try {
        for (const statement of await engine.parseAsync(request.body.sql)) results.push(resultJson(await engine.executeStatement(statement)));
      } catch (e) {
        const error = asEddyError(e);
        return reply.status(error.httpStatus).send({ ...errorBody(error), results });
      } finally {
        hub.prune();
      }
      return { results };
    },
  );
}
