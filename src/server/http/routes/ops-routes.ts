/** GET /healthz, GET /metrics (Prometheus text), GET /openapi.json. */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../../engine/index.js';
import type { MetricsCollector } from '../metrics.js';
import type { OpenApiCollector } from '../openapi.js';
import { healthResponse, textResponse, withErrors } from '../schemas.js';

export function registerOpsRoutes(app: FastifyInstance, engine: Engine, metrics: MetricsCollector, openapi: OpenApiCollector, version: string): void {
  app.get(
    '/healthz',
    { schema: { summary: 'Health: 503 while the data directory refuses writes or the database is being reopened', response: { 200: healthResponse, 503: healthResponse } } },
    async (_request, reply) => {
      const queries: Record<string, number> = {};
      for (const q of engine.queries()) queries[q.status] = (queries[q.status] ?? 0) + 1;
      const storage = engine.storageHealth();
      if (storage.state === 'ok') return { status: 'ok', queries };
      const what = storage.state === 'recovering' ? 'the database is being reopened after a failed write' : 'writes to the data directory fail';
      return reply.code(503).send({ status: 'unavailable', reason: `${what}: ${storage.reason ?? 'unknown'}`, queries, storage });
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Metrics in the Prometheus text format', produces: ['text/plain'], response: withErrors({ 200: textResponse }) } },
    async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );

  app.get(
    '/openapi.json',
    { schema: { summary: 'This API as an OpenAPI 3.1 document', response: { 200: { type: 'object', additionalProperties: true } } } },
    async () => openapi.document(version),
  );
}
