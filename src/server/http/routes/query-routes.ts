/** GET /v1/queries, GET /v1/queries/:name (status and progress), DELETE /v1/queries/:name. */
import type { FastifyInstance } from 'fastify';
import { quoteIdent } from '../../../duck/index.js';
import type { Engine, QueryInfo } from '../../../engine/index.js';
import { EddyError } from '../../../util/errors.js';
import { jsonValue } from '../json-values.js';
import { dropResponse, nameParams, queriesResponse, queryResponse, withErrors } from '../schemas.js';

function findQuery(engine: Engine, name: string): QueryInfo {
  const query = engine.queries().find((q) => q.name === name);
  if (!query) {
    throw new EddyError('UNDEFINED_TABLE', `no materialized view or sink named "${name}"`, { hint: 'GET /v1/queries lists them' });
  }
  return query;
}

export function registerQueryRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/v1/queries', { schema: { summary: 'List continuous queries', response: withErrors({ 200: queriesResponse }) } }, async () => ({
    queries: engine.queries(),
  }));

  app.get<{ Params: { name: string } }>(
    '/v1/queries/:name',
    { schema: { summary: 'A continuous query: status and latest progress', params: nameParams, response: withErrors({ 200: queryResponse }) } },
    async (request) => {
      const query = findQuery(engine, request.params.name);
      const recent = engine.progress(query.name).map((p) => jsonValue(p));
      return { query, progress: recent[recent.length - 1] ?? null, recentProgress: recent };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/v1/queries/:name',
    { schema: { summary: 'Drop a continuous query (its result and state)', params: nameParams, response: withErrors({ 200: dropResponse }) } },
    async (request) => {
      const query = findQuery(engine, request.params.name);
      const kind = query.kind === 'sink' ? 'SINK' : 'MATERIALIZED VIEW';
      const [result] = await engine.execute(`DROP ${kind} ${quoteIdent(query.name)}`);
      return { dropped: query.name, tag: result?.tag ?? `DROP ${kind}` };
    },
  );
}
